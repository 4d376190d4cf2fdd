"""Platform B's config dir: checked before anything starts, with errors naming the file and key."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from ccinspect.demo.errors import ConfigDirError
from ccinspect.demo.platform_b import config as bconfig


def test_default_config_gives_the_contract_console_settings(tmp_path: Path) -> None:
    """docker/platform-b loads; the console JSON carries the contract's keys, DSN and recording root."""
    cfg = bconfig.load()
    data = json.loads(cfg.console_json(tmp_path / "monitor"))
    assert data["listen"] == "127.0.0.1:8180"
    assert data["dsn"] == "postgresql+psycopg://ccb:ccb-db-pass@127.0.0.1:5442/callcenter"
    assert data["recording_root"] == str(tmp_path / "monitor")
    assert data["complaint_number"] == "02586669315"
    assert data["account"] == {"username": "inspector", "password": "ccb-inspect-2024"}
    for switch in ("media_requires_login", "api_requires_token", "orders_include_phone"):
        assert data[switch] is True
    assert data["purge_min_days"] == 30 and data["reply_days"] == 15
    assert [p.name for p in cfg.sql_scripts()] == ["subscriber.sql"]


def test_a_fault_switch_in_a_copied_dir_reaches_the_console(tmp_path: Path) -> None:
    """A patched copy (fault injection) changes only the switch it sets."""
    copy = tmp_path / "b"
    shutil.copytree(bconfig.default_dir(), copy)
    with (copy / "console.yaml").open("a") as fh:
        fh.write("media_requires_login: false\n")
    data = json.loads(bconfig.load(copy).console_json(tmp_path))
    assert data["media_requires_login"] is False and data["api_requires_token"] is True


def test_unknown_console_key_is_refused_naming_it(tmp_path: Path) -> None:
    """A misspelt switch is the user's mistake: the error names the file, the key and the allowed keys."""
    copy = tmp_path / "b"
    shutil.copytree(bconfig.default_dir(), copy)
    with (copy / "console.yaml").open("a") as fh:
        fh.write("media_requires_logon: false\n")
    with pytest.raises(ConfigDirError) as info:
        bconfig.load(copy)
    assert "media_requires_logon" in info.value.message and "console.yaml" in info.value.message
    assert "media_requires_login" in info.value.hint


def test_a_dir_without_the_kamailio_config_is_refused(tmp_path: Path) -> None:
    """A config dir missing a required file is refused before anything starts."""
    copy = tmp_path / "b"
    shutil.copytree(bconfig.default_dir(), copy)
    (copy / "kamailio/kamailio.cfg").unlink()
    with pytest.raises(ConfigDirError) as info:
        bconfig.load(copy)
    assert "kamailio/kamailio.cfg" in info.value.message
