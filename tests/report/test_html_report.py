"""The HTML evidence report of the trimmed sample run: content, languages, masking, assets."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from markupsafe import escape

from ccinspect.report import RunDirError, render_all, render_html
from ccinspect.report.html import template_env
from ccinspect.report.i18n import Catalogue, all_keys

from .builders import copy_sample, parse_html, svg_blocks


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """A writable copy of the sample run."""
    return copy_sample(tmp_path)


def test_report_shows_verdict_checks_calls_ladder_and_audio(run: Path) -> None:
    """The default report (Chinese) has the overall verdict, every check with its requirements,
    every call with identity headers, a ladder SVG, audio players and waveform pictures."""
    out = render_html(run)
    assert out == run / "report" / "report-zh.html"
    html = out.read_text(encoding="utf-8")
    page = parse_html(html)
    assert not page.problems and not page.stack
    assert '<html lang="zh-CN">' in html and "总体结论" in html
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    for check in report["checks"]:
        assert f'id="check-{check["check_id"]}"' in html
        assert ", ".join(check["requirements"]) in html
    for key in ("inbound-1", "outbound-8001", "dnc-1"):
        assert f'id="call-{key}"' in html
    assert html.count('<svg class="ladder"') == 3
    for block in svg_blocks(html):
        ET.fromstring(block)  # noqa: S314 -- our own output; every picture is well-formed XML
    assert ">INVITE<" in html and ">180 Ringing<" in html and ">200 OK (BYE)<" in html
    assert html.count("<audio ") >= 6
    assert 'class="wave"' in html
    for header in ("From", "P-Asserted-Identity", "X-Caller-Screening"):
        assert f"<td>{header}</td>" in html
    assert "User-Agent: ccinspect-demo-pbx" in html  # the PBX's identity, seen in its messages
    assert "ccinspect 0.1.0" in html


def test_english_report_uses_the_english_catalogue(run: Path) -> None:
    """lang="en" renders every fixed string in English and the checks' English reasons."""
    html = render_html(run, lang="en").read_text(encoding="utf-8")
    assert '<html lang="en">' in html and "Overall verdict" in html and "总体结论" not in html
    assert "SIP ladder" in html and "Caller-identity headers" in html
    assert "each of the 5 seats answered" in html


def test_catalogue_has_every_key_the_templates_use() -> None:
    """Each t('key') in the templates exists in both languages (no blank labels)."""
    keys = set()
    for name in template_env().list_templates():
        source = (Path(template_env().loader.searchpath[0]) / name).read_text(encoding="utf-8")  # type: ignore[union-attr]
        keys |= set(re.findall(r"""\bt\('([a-z_]+)'""", source))
    keys |= {"heard", "sent", "recording"}  # used as t(a.kind)
    assert keys <= all_keys()
    for lang in ("zh", "en"):
        catalogue = Catalogue(lang)
        assert all(catalogue(k, n=1, state=4, duration="1 s", page="/p") for k in all_keys())


def test_public_numbers_are_masked_everywhere_by_default(run: Path) -> None:
    """No public caller's number appears in full: not in identity headers, reasons, recording
    names, raw SIP text, nor in any asset file name; the platform's own numbers stay whole."""
    out = render_html(run)
    html = out.read_text(encoding="utf-8")
    for number in ("13800138000", "13800138888", "13900000001"):
        assert number not in html
    assert "138****8000" in html and "139****0001" in html
    assert "051268880000" in html  # allocated number presented by the platform, kept
    assert "950512" in html  # 95 access number, public enterprise number
    assert all("1380013" not in p.name for p in (out.parent / "assets").rglob("*"))
    assert str(escape('response="(redacted)"')) in html and "66b507196edfb0ff3015e17524f68adf" not in html


def test_unmask_shows_full_numbers_and_says_so(run: Path) -> None:
    """unmask=True shows the numbers in full, in a separately named file with a warning."""
    out = render_html(run, unmask=True)
    assert out.name == "report-zh-unmasked.html"
    html = out.read_text(encoding="utf-8")
    assert "13800138000" in html and "138****8000" not in html
    assert "仅限内部使用" in html
    assert str(escape('response="(redacted)"')) in html  # credentials stay redacted either way


def test_self_contained_report_has_no_external_references(run: Path, tmp_path: Path) -> None:
    """self_contained embeds CSS and audio as data: URIs: every src/href is a data: URI or an
    in-page anchor, and the file still works when moved away from the run directory."""
    out = render_html(run, self_contained=True, out=tmp_path / "handover" / "r.html")
    html = out.read_text(encoding="utf-8")
    page = parse_html(html)
    refs = [v or "" for k, v in page.attrs if k in {"src", "href"}]
    assert refs and all(r.startswith(("data:", "#")) for r in refs)
    assert "<link " not in html and "<style>" in html
    assert sum(r.startswith("data:audio/wav;base64,") for r in refs) >= 6
    assert not (out.parent / "assets").exists()


def test_linked_report_points_at_existing_assets(run: Path) -> None:
    """The default report links assets beside it; every link resolves to a file."""
    out = render_html(run)
    page = parse_html(out.read_text(encoding="utf-8"))
    refs = [v or "" for k, v in page.attrs if k in {"src", "href"} and v and not v.startswith("#")]
    assert refs
    for ref in refs:
        assert (out.parent / ref).is_file(), ref
    assert (out.parent / "assets" / "stimulus" / "fp001.wav").is_file()


def test_calls_only_in_call_files_are_reported(run: Path) -> None:
    """A call written to calls/*.json but missing from report.json (interrupted run) is shown."""
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["calls"] = [c for c in report["facts"]["calls"] if c["key"] != "dnc-1"]
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    html = render_html(run).read_text(encoding="utf-8")
    assert 'id="call-dnc-1"' in html


def test_latest_symlink_is_followed(run: Path) -> None:
    """runs/latest (a symlink to the newest run) can be given as the run directory."""
    (run.parent / "latest").symlink_to(run.name)
    out = render_html(run.parent / "latest")
    assert out == run / "report" / "report-zh.html"


def test_recording_names_cannot_reach_outside_the_run(run: Path) -> None:
    """A recording name from the platform that climbs out of recordings/ links to nothing."""
    (run.parent / "secret.wav").write_bytes((run / "recordings").iterdir().__next__().read_bytes())
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["recordings"][0]["name"] = "../../secret.wav"
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    out = render_html(run, self_contained=True)
    html = out.read_text(encoding="utf-8")
    assert "../../secret.wav" in html  # shown as the platform named it …
    call = html[html.index('id="call-inbound-1"') : html.index('id="call-outbound-8001"')]
    assert "audio/wav" in call and "音频文件缺失" in call  # … but not played from outside the run


def test_render_all_writes_every_requested_format(run: Path) -> None:
    """render_all writes HTML per language and one JUnit file from a single load."""
    written = render_all(run, langs=("zh", "en"), formats=("html", "junit"))
    assert [kind for kind, _ in written] == ["html", "html", "junit"]
    assert all(path.is_file() for _, path in written)
    with pytest.raises(ValueError, match="unknown format"):
        render_all(run, formats=("docx",))


def test_bad_run_directories_are_refused_with_the_reason(tmp_path: Path) -> None:
    """Missing dir, no report.json, invalid JSON, another schema and a wrongly typed field each
    raise RunDirError naming the file (and the key path)."""
    with pytest.raises(RunDirError, match="does not exist"):
        render_html(tmp_path / "nope")
    with pytest.raises(RunDirError, match=r"no report\.json"):
        render_html(tmp_path)
    (tmp_path / "report.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(RunDirError, match="not valid JSON"):
        render_html(tmp_path)
    (tmp_path / "report.json").write_text('{"schema": "ccinspect.report/9"}', encoding="utf-8")
    with pytest.raises(RunDirError, match=re.escape("schema 'ccinspect.report/9'")):
        render_html(tmp_path)
    run = copy_sample(tmp_path / "copy")
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["calls"][0]["legs"][0]["final_status"] = "two hundred"
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    with pytest.raises(RunDirError, match=r"facts\.calls\[0\]\.legs\[0\]\.final_status: expected an integer"):
        render_html(run)
