"""Reading and copying the demo PBX configuration, and the retention rule (no PBX needed)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ccinspect import paths
from ccinspect.demo.errors import ConfigDirError, DemoError
from ccinspect.demo.pbx import config as democonfig
from ccinspect.demo.pbx import purge


def test_shipped_config_describes_five_seats_trunk_and_numbers() -> None:
    """The shipped config is the single source of seats, numbers and addresses."""
    cfg = democonfig.load(paths.asterisk_config_dir())
    assert [s.endpoint for s in cfg.seats] == ["8001", "8002", "8003", "8004", "8005"]
    assert len({s.password for s in cfg.seats}) == 5, "each seat has its own password"
    assert cfg.numbers.access_number.startswith("95")
    assert cfg.numbers.fixed_line.startswith("0512") and len(cfg.numbers.fixed_line) == 12
    assert cfg.numbers.outbound_caller_id in cfg.numbers.allocated
    assert str(cfg.site.sip) == "127.0.0.1:5060"
    assert str(cfg.site.trunk) == "127.0.0.1:5070"
    assert str(cfg.site.ari) == "127.0.0.1:8088"
    assert cfg.retention.days == 180


def test_config_dir_without_pjsip_conf_is_refused_with_file_name(tmp_path: Path) -> None:
    """A config dir lacking pjsip.conf is the user's mistake: the error names the file."""
    shutil.copytree(paths.asterisk_config_dir(), tmp_path / "cfg")
    (tmp_path / "cfg" / "pjsip.conf").unlink()
    with pytest.raises(ConfigDirError) as info:
        democonfig.load(tmp_path / "cfg")
    assert "pjsip.conf" in info.value.message and "pjsip.conf" in info.value.message_zh


def test_missing_config_dir_is_refused(tmp_path: Path) -> None:
    """A config dir that does not exist is reported as such."""
    with pytest.raises(ConfigDirError, match="does not exist"):
        democonfig.load(tmp_path / "nope")


def test_prepare_copy_rewrites_site_addresses_only(tmp_path: Path) -> None:
    """--sip-bind and --trunk rewrite the marked lines of the copy, not the original."""
    src = democonfig.load(paths.asterisk_config_dir())
    copy = democonfig.prepare_copy(
        src,
        tmp_path / "copy",
        sip=democonfig.HostPort("127.0.0.1", 25060),
        trunk=democonfig.HostPort("127.0.0.1", 25070),
    )
    assert str(copy.site.sip) == "127.0.0.1:25060"
    assert str(copy.site.trunk) == "127.0.0.1:25070"
    text = (tmp_path / "copy" / "pjsip.conf").read_text()
    assert "contact=sip:127.0.0.1:25070" in text and "match=127.0.0.1:25070" in text
    assert str(democonfig.load(paths.asterisk_config_dir()).site.sip) == "127.0.0.1:5060"


@pytest.mark.parametrize("text", ["", "host:notaport", "1.2.3.4:70000"])
def test_hostport_rejects_garbage(text: str) -> None:
    """HOST:PORT parsing refuses what is not an address."""
    with pytest.raises(ValueError, match=r"HOST|port"):
        democonfig.HostPort.parse(text, default_port=5060)


def test_retention_below_thirty_days_refused_unless_forced() -> None:
    """The demo refuses a retention under the regulator's 30 days unless forced (fault injection)."""
    with pytest.raises(DemoError, match="30-day"):
        purge.check_policy(democonfig.Retention(days=7, force=False))
    purge.check_policy(democonfig.Retention(days=7, force=True))
    purge.check_policy(democonfig.Retention(days=30, force=False))


def test_select_expired_uses_age_in_days() -> None:
    """Only files strictly older than the policy are selected."""
    now = 1_000_000_000.0
    files = [("new.wav", now - 86400 * 29), ("edge.wav", now - 86400 * 30 + 1), ("old.wav", now - 86400 * 31)]
    assert purge.select_expired(files, days=30, now=now) == ["old.wav"]


def test_purge_deletes_only_expired_files(tmp_path: Path) -> None:
    """purge() deletes expired recordings from disk and keeps the rest."""
    import os

    now = 2_000_000_000.0
    for name, age_days in (("a.wav", 1), ("b.wav", 200)):
        p = tmp_path / name
        p.write_bytes(b"RIFF")
        os.utime(p, (now - age_days * 86400, now - age_days * 86400))
    result = purge.purge(tmp_path, democonfig.Retention(days=180, force=False), now=now)
    assert result.deleted == ("b.wav",) and result.kept == 1
    assert (tmp_path / "a.wav").exists() and not (tmp_path / "b.wav").exists()
