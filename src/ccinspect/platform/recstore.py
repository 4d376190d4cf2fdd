"""The recording directory: listed once, probed in a bounded pool of worker processes.

* :func:`list_directory`: recording key → file, from one directory scan (``os.scandir``), so
  30,000 lookups cost no ``stat`` each. Keys are :func:`~ccinspect.platform.cdr.recording_key`.
* :func:`probe_recordings`: :func:`~ccinspect.platform.wavprobe.probe_file` over many files in a
  :class:`~concurrent.futures.ProcessPoolExecutor` (``forkserver`` workers, so a caller that
  runs pjsua2 or asyncio threads never forks itself), in chunks, with an overall deadline:
  whatever is not probed by then is marked ``UNREADABLE`` (unchecked), never waited for.
* :func:`audit_directory_store`: read the CDR, probe the recordings its answered calls name,
  and return :func:`~ccinspect.core.audit.audit`'s verdict. Blocking: call it through
  ``asyncio.to_thread``.

For the demo PBX the directory is the Asterisk root filesystem's
``var/spool/asterisk/recording`` (``RootfsBackend().recording_dir``), read as root from the host.
"""

from __future__ import annotations

import concurrent.futures as cf
import multiprocessing
import os
import re
import time
from collections.abc import Collection, Mapping
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from ccinspect.core.audit import DEFAULT_SILENCE_DBFS, DEFAULT_TOLERANCE_S, AuditResult, audit
from ccinspect.platform.cdr import AUDIO_SUFFIXES, recording_key
from ccinspect.platform.cdrcsv import CsvMapping
from ccinspect.platform.cdrio import read_cdr_file
from ccinspect.platform.errors import AdapterError
from ccinspect.platform.wavprobe import (
    DEFAULT_WINDOW_S,
    DEFAULT_WINDOWS,
    ProbeStatus,
    RecordingInfo,
    probe_chunk,
)

__all__ = [
    "DEFAULT_CHUNK",
    "DEFAULT_DEADLINE_S",
    "audit_directory_store",
    "list_directory",
    "probe_recordings",
]

DEFAULT_CHUNK = 250
"""Files per task sent to a worker: large enough to amortise pickling, small enough to balance."""
DEFAULT_DEADLINE_S = 600.0
"""Overall bound on probing; what is left is reported unchecked."""
MAX_ENTRIES = 5_000_000
"""A directory listing stops here (and says so) rather than exhausting memory."""
_PREFERENCE = {suffix: rank for rank, suffix in enumerate(AUDIO_SUFFIXES)}


def list_directory(
    directory: Path, *, recursive: bool = False, max_entries: int = MAX_ENTRIES
) -> dict[str, Path]:
    """Recording key → path of every audio file in ``directory`` (subdirectories if ``recursive``).

    When two files share a key (``x.wav`` and ``x.gsm``) the suffix listed first in
    :data:`~ccinspect.platform.cdr.AUDIO_SUFFIXES` wins. Raises :class:`AdapterError` naming the
    directory when it cannot be listed or holds more than ``max_entries`` entries.
    """
    found: dict[str, Path] = {}
    seen = 0
    pending = [directory]
    try:
        while pending:
            with os.scandir(pending.pop()) as entries:
                for entry in entries:
                    seen += 1
                    if seen > max_entries:
                        raise AdapterError(
                            f"recording directory {directory} holds more than {max_entries} entries",
                            f"录音目录 {directory} 的条目超过 {max_entries} 个",
                        )
                    if recursive and entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
                        continue
                    suffix = os.path.splitext(entry.name)[1].lower()
                    if suffix not in _PREFERENCE or not entry.is_file():
                        continue
                    key = recording_key(entry.name)
                    if key is None:
                        continue
                    old = found.get(key)
                    if old is None or _PREFERENCE[suffix] < _PREFERENCE[old.suffix.lower()]:
                        found[key] = Path(entry.path)
    except OSError as exc:
        raise AdapterError(
            f"cannot list the recording directory {directory}: {exc.strerror or exc}",
            f"无法列出录音目录 {directory}：{exc.strerror or exc}",
        ) from exc
    return found


def _chunks(items: list[tuple[str, str]], size: int) -> list[list[tuple[str, str]]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _stop_workers(executor: cf.ProcessPoolExecutor) -> None:
    """Terminate workers stuck past the deadline (the executor API cannot interrupt a task)."""
    # ProcessPoolExecutor has no public way to kill busy workers before Python 3.14
    # (terminate_workers); _processes is the documented-in-source map of its processes.
    processes = getattr(executor, "_processes", None) or {}
    for process in list(processes.values()):
        process.terminate()
    executor.shutdown(wait=False, cancel_futures=True)


def probe_recordings(
    files: Mapping[str, Path],
    *,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    deadline_s: float = DEFAULT_DEADLINE_S,
    windows: int = DEFAULT_WINDOWS,
    window_s: float = DEFAULT_WINDOW_S,
) -> dict[str, RecordingInfo]:
    """Probe every file in ``files`` (key → path); the result has one entry per key.

    ``workers`` processes (default: the CPU count; 0 probes in this process, as does any input
    smaller than two chunks, where starting workers costs more than it saves: at most a few
    hundred files, so the deadline is not applied there). Files not probed within
    ``deadline_s`` come back ``UNREADABLE`` with a detail naming the file and the deadline.
    """
    items = sorted((key, str(path)) for key, path in files.items())
    count = (os.cpu_count() or 1) if workers is None else workers
    chunk_size = max(1, chunk_size)
    if count <= 0 or len(items) < 2 * chunk_size:
        return {info.name: info for info in probe_chunk(items, windows, window_s)}
    started = time.monotonic()
    results: dict[str, RecordingInfo] = {}
    context = multiprocessing.get_context(
        "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
    )
    executor = cf.ProcessPoolExecutor(max_workers=count, mp_context=context)
    chunks = _chunks(items, chunk_size)
    futures = {executor.submit(probe_chunk, chunk, windows, window_s): chunk for chunk in chunks}
    failures: dict[str, tuple[str, str]] = {}
    timed_out = False
    try:
        for future in cf.as_completed(futures, timeout=max(0.0, deadline_s - (time.monotonic() - started))):
            try:
                results.update((info.name, info) for info in future.result())
            except Exception as exc:  # noqa: BLE001 -- a failed worker leaves its files unchecked, named
                why = f"{type(exc).__name__}: {exc}"
                failures.update(
                    (key, (f"probe worker failed: {why}", f"探测进程出错：{why}"))
                    for key, _ in futures[future]
                )
    except cf.TimeoutError:
        timed_out = True
    finally:
        if timed_out:
            _stop_workers(executor)
        else:
            executor.shutdown(wait=True, cancel_futures=True)
    late = (f"not probed within the {deadline_s:g} s deadline", f"未能在 {deadline_s:g} 秒期限内完成探测")
    for key, path in items:
        if key not in results:
            en, zh = failures.get(key, late)
            results[key] = RecordingInfo(
                key, path, ProbeStatus.UNREADABLE, detail=f"{path}: {en}", detail_zh=f"{path}：{zh}"
            )
    return results


def audit_directory_store(
    cdr_path: Path,
    recording_dir: Path,
    *,
    now: datetime,
    days: float = 30,
    tolerance_s: float = DEFAULT_TOLERANCE_S,
    mapping: CsvMapping | None = None,
    recursive: bool = False,
    workers: int | None = None,
    chunk_size: int = DEFAULT_CHUNK,
    deadline_s: float = DEFAULT_DEADLINE_S,
    windows: int = DEFAULT_WINDOWS,
    silence_dbfs: float = DEFAULT_SILENCE_DBFS,
    message_directions: Collection[str] = ("complaint",),
    tz: tzinfo = UTC,
    seat_pattern: re.Pattern[str] | None = None,
) -> AuditResult:
    """The whole recording-store audit: CDR file → probes of the recordings it names → verdict.

    Only recordings named by answered calls in the window are probed. ``tz`` is where days
    begin for the per-day counts (the platform's zone, e.g. ``ZoneInfo("Asia/Shanghai")``).
    ``windows`` sampled per recording trade I/O for coverage (each is one small random read). Raises
    :class:`AdapterError` when the CDR file or the directory cannot be read (an ERROR for the
    nightly run), :class:`~ccinspect.platform.cdrcsv.CdrMappingError` for a wrong mapping.
    """
    since = now - timedelta(days=days)
    parsed = read_cdr_file(cdr_path, mapping=mapping, since=since)
    wanted = {row.recording for row in parsed.rows if row.answered and row.recording and row.start < now}
    listing = list_directory(recording_dir, recursive=recursive)
    files = {key: listing[key] for key in wanted if key in listing}
    infos = probe_recordings(
        files, workers=workers, chunk_size=chunk_size, deadline_s=deadline_s, windows=windows
    )
    return audit(
        parsed.rows,
        infos,
        days=days,
        tolerance_s=tolerance_s,
        now=now,
        silence_dbfs=silence_dbfs,
        message_directions=message_directions,
        tz=tz,
        seat_pattern=seat_pattern,
        cdr_problems=parsed.problems,
        cdr_problems_in_window=parsed.problems_in_window,
    )
