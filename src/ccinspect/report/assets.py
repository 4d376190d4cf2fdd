"""Files a report links to: audio evidence, screenshots, synthesised stimuli, the stylesheet.

Two modes, one interface (each method returns the URL to put in the page):

* linked (default): files go under ``<report dir>/assets/`` with neutral names built from the
  call key and the leg (``audio/inbound-1-2-heard.wav``), hard-linked when possible, else copied.
  A recording's own name can carry a caller's number; the asset name never does. Screenshots of
  the web console go under ``screenshots/`` with their own (``NN-step.png``) names.
* inline (``self_contained``): every URL is a ``data:`` URI, so one HTML file carries everything.

What a leg *sent* is synthesised from its fingerprint id (``media.fingerprint.synthesize``,
:data:`STIMULUS_S` long) instead of copied, so the report does not depend on the engine's files.
"""

from __future__ import annotations

import base64
import io
import os
import re
import shutil
from pathlib import Path

import soundfile

from ccinspect.media.fingerprint import PERIOD_S, fingerprint_for, synthesize

__all__ = ["STIMULUS_S", "Assets", "slug"]

STIMULUS_S = 2 * PERIOD_S
_RATE = 8000
_SLUG = re.compile(r"[^A-Za-z0-9._-]+")
_CSS = Path(__file__).parent / "templates" / "report.css"


def slug(text: str) -> str:
    """A file-name-safe form of ``text`` (ASCII letters, digits, ``._-``; at most 60 chars)."""
    cleaned = _SLUG.sub("-", text).strip(".-")[:60]
    return cleaned or "x"


def _wav_bytes(fid: int) -> bytes:
    buffer = io.BytesIO()
    samples = synthesize(fingerprint_for(fid), _RATE, repeat_seconds=STIMULUS_S)
    soundfile.write(buffer, samples, _RATE, subtype="PCM_16", format="WAV")
    return buffer.getvalue()


def _data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


class Assets:
    """Places a report's files and hands out their URLs (see the module doc)."""

    def __init__(self, report_dir: Path, *, inline: bool) -> None:
        self.report_dir = report_dir
        self.dir = report_dir / "assets"
        self.inline = inline
        self._stimuli: dict[int, str] = {}

    def _place(self, relative: str) -> Path:
        target = self.dir / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        return target

    def audio(self, source: Path, name: str) -> str:
        """URL of audio file ``source``, published as ``audio/<name>`` (``name`` is slugged)."""
        if self.inline:
            return _data_uri("audio/wav", source.read_bytes())
        return self._publish(source, f"audio/{slug(name)}")

    def image(self, source: Path) -> str:
        """URL of screenshot ``source`` (PNG or JPEG), published as ``screenshots/<its name>``."""
        if self.inline:
            mime = "image/png" if source.suffix.lower() == ".png" else "image/jpeg"
            return _data_uri(mime, source.read_bytes())
        return self._publish(source, f"screenshots/{slug(source.name)}")

    def _publish(self, source: Path, relative: str) -> str:
        """Hard-link (else copy) ``source`` to ``assets/<relative>`` unless it is there already."""
        target = self._place(relative)
        if not (
            target.exists()
            and target.stat().st_size == source.stat().st_size
            and target.stat().st_mtime >= source.stat().st_mtime
        ):
            tmp = target.with_name(target.name + ".tmp")
            tmp.unlink(missing_ok=True)
            try:
                os.link(source, tmp)
            except OSError:
                shutil.copyfile(source, tmp)
            tmp.replace(target)
        return f"assets/{relative}"

    def stimulus(self, fid: int) -> str:
        """URL of a WAV of fingerprint ``fid`` as a leg plays it (synthesised once per report)."""
        if fid in self._stimuli:
            return self._stimuli[fid]
        if self.inline:
            url = _data_uri("audio/wav", _wav_bytes(fid))
        else:
            relative = f"stimulus/fp{fid:03d}.wav"
            target = self._place(relative)
            if not target.exists():
                tmp = target.with_name(target.name + ".tmp")
                tmp.write_bytes(_wav_bytes(fid))
                tmp.replace(target)
            url = f"assets/{relative}"
        self._stimuli[fid] = url
        return url

    def stylesheet(self) -> str:
        """The CSS as text (inline mode puts it in a ``<style>``), or '' when linked."""
        return _CSS.read_text(encoding="utf-8") if self.inline else ""

    def stylesheet_url(self) -> str:
        """URL of the linked stylesheet ('' in inline mode)."""
        if self.inline:
            return ""
        target = self._place("report.css")
        target.write_text(_CSS.read_text(encoding="utf-8"), encoding="utf-8")
        return "assets/report.css"
