"""The web console's evidence in the report: the screenshots section, the player and ticket lines,
and the screenshots appendix (screenshots.pdf) printed by Chromium and rendered by pdftoppm."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
from markupsafe import escape

from ccinspect.cli.main import build_parser, dispatch
from ccinspect.errors import EXIT_ERROR, Kind
from ccinspect.report import NoScreenshotsError, render_all, render_html, render_screenshots
from ccinspect.report.appendix import ERROR_MAX

from .builders import SHOTS, add_screenshots, copy_sample, parse_html, write_png
from .test_browser import tool

FAILED_ERROR_MASKED = "no row for caller 138****8888 within 5 s (selector td.screening)"


@pytest.fixture
def run(tmp_path: Path) -> Path:
    """The sample run with five web-console screenshots (the fifth a failed step) and their PNGs."""
    run = copy_sample(tmp_path)
    add_screenshots(run)
    return run


def figures(html: str) -> list[str]:
    """Each ``<figure>…</figure>`` of a page, in order."""
    return re.findall(r"<figure\b.*?</figure>", html, flags=re.S)


def test_html_lists_the_screenshots_in_order_with_captions_calls_and_images(run: Path) -> None:
    """The Chinese report has a 功能截图 section: one figure per screenshot in the order taken,
    numbered, its Chinese caption with the English one in small text, the call it is about
    linked, and its image copied beside the report; the page stays well-formed."""
    out = render_html(run)
    html = out.read_text(encoding="utf-8")
    page = parse_html(html)
    assert not page.problems and not page.stack
    assert '<h2 id="screenshots" class="shots-heading">功能截图</h2>' in html
    assert '<a href="#screenshots">功能截图</a>' in html  # in the contents
    shown = figures(html)
    assert [re.search(r'id="(shot-\d+)"', f).group(1) for f in shown] == [  # type: ignore[union-attr]
        f"shot-{i:02d}" for i in range(1, 6)
    ]
    for i, (figure, (step, _, key, caption, caption_zh, _, _)) in enumerate(
        zip(shown, SHOTS, strict=True), 1
    ):
        assert f'<strong class="num">图 {i}</strong>' in figure
        image = f"assets/screenshots/{i:02d}-{step}.png"
        assert f'<img src="{image}"' in figure and (out.parent / image).is_file()
        if "13800138000" not in caption:
            assert str(escape(caption_zh)) in figure
            assert f'<div class="other">{escape(caption)}</div>' in figure
        if key is not None:
            assert f'<a href="#call-{key}">{key}</a>' in figure
    assert "<a href=" not in shown[0].split("<figcaption>")[1]  # the login is about no call


def test_english_report_leads_with_the_english_caption(run: Path) -> None:
    """In English the section is "Function screenshots", figures are "Figure N", and the Chinese
    caption is the small one."""
    html = render_html(run, lang="en").read_text(encoding="utf-8")
    assert '<h2 id="screenshots" class="shots-heading">Function screenshots</h2>' in html
    first = figures(html)[0]
    assert '<strong class="num">Figure 1</strong> Login page of the web console' in first
    assert '<div class="other">网页控制台登录页</div>' in first


def test_numbers_in_captions_and_errors_are_masked(run: Path) -> None:
    """A caller's number in a caption or a failed step's error is masked like the rest of the
    report (the unmasked report shows it whole)."""
    html = render_html(run).read_text(encoding="utf-8")
    assert "13800138000" not in html and "13800138888" not in html
    assert "按主叫号码 138****8000 查询录音" in html
    assert "Recordings searched by caller 138****8000" in html
    assert FAILED_ERROR_MASKED in html
    unmasked = render_html(run, unmask=True).read_text(encoding="utf-8")
    assert "按主叫号码 13800138000 查询录音" in unmasked


def test_a_failed_step_is_marked_with_its_error(run: Path) -> None:
    """The screenshot of a failed step has the failed class and a banner with its error; the
    others have neither."""
    html = render_html(run).read_text(encoding="utf-8")
    *good, failed = figures(html)
    assert failed.startswith('<figure class="shot failed" id="shot-05">')
    assert f'<p class="step-failed">此步骤失败: {FAILED_ERROR_MASKED}</p>' in failed
    assert all(f.startswith('<figure class="shot" ') and "step-failed" not in f for f in good)


def test_player_ticket_and_console_reading_link_to_their_screenshots(run: Path) -> None:
    """The recording played in the web console says what its player reported and links to its
    figure; the ticket says it was read in the web console; the screening reading links too."""
    html = render_html(run).read_text(encoding="utf-8")
    assert (
        '<p class="player">已在网页控制台播放：readyState 4，时长 4.0 秒，页面 /calls/inbound-1'
        ' · 音频地址 /media/inbound-1.wav · 截图: <a href="#shot-03">图 3</a></p>'
    ) in html
    assert '<dd>WO-2026-0042 · 读取方式: 网页控制台 · 截图: <a href="#shot-04">图 4</a></dd>' in html
    assert (
        "<dt>网页控制台显示</dt><dd>主叫号码甄别: 控制台中未找到该呼叫 · "
        '<span class="warn">not found</span> · 截图: <a href="#shot-05">图 5</a></dd>'
    ) in html
    assert "读取方式: 网页控制台" in html.split('<h2 id="facts">')[1]  # the ticket row of the facts
    en = render_html(run, lang="en").read_text(encoding="utf-8")
    assert "played in the web console: readyState 4, duration 4.0 s, page /calls/inbound-1" in en
    assert "read via: web console" in en


def test_self_contained_report_embeds_the_screenshots(run: Path, tmp_path: Path) -> None:
    """self_contained puts each screenshot in a data: URI (once: links to it are in-page)."""
    out = render_html(run, self_contained=True, out=tmp_path / "handover" / "r.html")
    page = parse_html(out.read_text(encoding="utf-8"))
    refs = [v or "" for k, v in page.attrs if k in {"src", "href"}]
    assert all(r.startswith(("data:", "#")) for r in refs)
    assert sum(r.startswith("data:image/png;base64,") for r in refs) == len(SHOTS)


def test_hostile_captions_render_as_text(run: Path) -> None:
    """A caption or error carrying markup is shown escaped; nothing executable gets in."""
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["screenshots"][0]["caption_zh"] = '<img src=x onerror="alert(1)">'
    report["facts"]["screenshots"][4]["error"] = "<script>alert(2)</script>"
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    html = render_html(run).read_text(encoding="utf-8")
    page = parse_html(html)
    assert "script" not in page.tags and not [n for n, _ in page.attrs if n.startswith("on")]
    assert str(escape('<img src=x onerror="alert(1)">')) in html
    assert str(escape("<script>alert(2)</script>")) in html


def test_no_section_without_screenshots_and_missing_files_are_said(run: Path, tmp_path: Path) -> None:
    """A run without screenshots has no section; a screenshot whose file is missing is listed
    with "file missing" and no image."""
    plain = copy_sample(tmp_path / "plain")
    html = render_html(plain).read_text(encoding="utf-8")
    assert 'id="screenshots"' not in html and "<img" not in html and "<figure" not in html
    for png in (run / "screenshots").iterdir():
        png.unlink()
    html = render_html(run).read_text(encoding="utf-8")
    assert "<img" not in html and len(figures(html)) == len(SHOTS)
    assert "截图文件缺失: screenshots/01-login.png" in html


def pages_text(pdf: Path) -> list[str]:
    """The text of each page of ``pdf`` (pdftotext)."""
    text = subprocess.run(
        [tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    return text.split("\f")[:-1]


def test_appendix_pdf_has_a_cover_then_two_screenshots_a_page(
    run: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report RUN --format screenshots` prints screenshots.pdf: an A4 cover (title in both
    languages, run id, platform, list of figures), then the five screenshots two to a page,
    numbered 图 N / Figure N with both captions (numbers masked), the failed step marked; the
    pages render (pdftoppm) and the print page is removed."""
    assert dispatch(build_parser().parse_args(["report", str(run), "--format", "screenshots"])) == 0
    pdf = run / "report" / "screenshots.pdf"
    assert capsys.readouterr().out.strip() == f"screenshots: {pdf}"
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True, check=True).stdout
    assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) == 1 + 3  # type: ignore[union-attr]
    assert "(A4)" in info
    subprocess.run(
        [tool("pdftoppm"), "-png", "-r", "50", str(pdf), str(tmp_path / "page")], check=True, timeout=60
    )
    pngs = sorted(tmp_path.glob("page-*.png"))
    assert len(pngs) == 4 and all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    cover, *sheets = pages_text(pdf)
    assert "系统功能截图" in cover and "System function screenshots" in cover
    assert "20261129-160729-ba14" in cover and "demo" in cover
    on_page = [[int(n) for n in re.findall(r"图 (\d+) / Figure \1", sheet)] for sheet in sheets]
    assert on_page == [[1, 2], [3, 4], [5]]
    flat = " ".join(" ".join(sheets).split())
    for _, _, _, caption, caption_zh, _, _ in SHOTS:
        assert caption.replace("13800138000", "138****8000") in flat
        assert caption_zh.replace("13800138000", "138****8000") in flat
    assert f"此步骤失败 / This step failed: {FAILED_ERROR_MASKED}" in flat
    assert "13800138000" not in " ".join(pages_text(pdf))
    assert not list((run / "report").glob(".print-*"))


def test_a_portrait_screenshot_has_a_page_of_its_own(run: Path) -> None:
    """A whole-page (portrait) screenshot is printed alone on its page, so it is not shrunk to
    a half page; the others stay two to a page, in order."""
    write_png(run / "screenshots" / "02-search.png", 640, 1600)
    pdf = render_screenshots(run)
    _, *sheets = pages_text(pdf)
    on_page = [[int(n) for n in re.findall(r"图 (\d+) / Figure \1", sheet)] for sheet in sheets]
    assert on_page == [[1], [2], [3, 4], [5]]


def test_appendix_cuts_a_long_error_and_shows_a_missing_file(run: Path, tmp_path: Path) -> None:
    """A failed step's long error is cut (the picture keeps its place on the page) and a missing
    screenshot file is named instead of its picture; still one cover and three pages."""
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    report["facts"]["screenshots"][4]["error"] = "call log: " + "waiting for selector " * 200
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    (run / "screenshots" / "02-search.png").unlink()
    pdf = render_screenshots(run, out=tmp_path / "out" / "appendix.pdf")
    assert pdf == tmp_path / "out" / "appendix.pdf"
    pages = pages_text(pdf)
    assert len(pages) == 4
    flat = " ".join(" ".join(pages).split())
    assert "截图文件缺失 / screenshot file missing: screenshots/02-search.png" in flat
    shown = re.search(r"This step failed: (call log: .*?…)", flat)
    assert shown is not None and len(shown.group(1).replace(" ", "")) < ERROR_MAX


def test_appendix_of_a_run_without_screenshots_is_the_users_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for the appendix of a run that took no screenshots exits 2 before anything is
    written, saying there are none and how to get them (a target with a console and
    recordings.kind: web)."""
    plain = copy_sample(tmp_path)
    with pytest.raises(NoScreenshotsError) as caught:
        render_screenshots(plain)
    assert caught.value.kind is Kind.USER and caught.value.exit_code == EXIT_ERROR
    with pytest.raises(NoScreenshotsError):
        render_all(plain, formats=("html", "screenshots"))
    assert not (plain / "report").exists()
    code = dispatch(build_parser().parse_args(["report", str(plain), "--format", "html,screenshots"]))
    err = capsys.readouterr().err
    assert code == EXIT_ERROR
    assert "has no web-console screenshots" in err and "没有网页控制台截图" in err
    assert "`console:`" in err and "`recordings.kind: web`" in err
    assert not (plain / "report").exists()


def test_a_player_that_could_not_be_examined_says_why(run: Path) -> None:
    """A player that was not found shows the step that failed, not a readyState line."""
    report = json.loads((run / "report.json").read_text(encoding="utf-8"))
    rec = next(r for r in report["facts"]["recordings"] if r["call_key"] == "inbound-1")
    rec["player"].update(
        ready_state=None, duration_s=None, audio_url=None, error="no <audio> on /calls/inbound-1"
    )
    (run / "report.json").write_text(json.dumps(report), encoding="utf-8")
    html = render_html(run, lang="en").read_text(encoding="utf-8")
    assert "played in the web console" not in html
    assert (
        '<p class="player"><span class="warn">The player could not be examined: '
        f"{escape('no <audio> on /calls/inbound-1')}</span> · screenshot: "
        '<a href="#shot-03">Figure 3</a></p>'
    ) in html
