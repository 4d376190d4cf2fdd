"""Evidence bundles: one zip per run that anyone can check for tampering.

A bundle holds the run directory's ``report.json``, ``calls/``, ``evidence/`` (WAVs, pjsip.log),
``recordings/`` and, when present, the rendered reports (``report/``: HTML, PDF, JUnit XML, as
``ccinspect report`` writes them; also ``report.html``, ``report.pdf``, ``junit.xml`` at the top), plus
``MANIFEST.json``: the bundle schema, the run id, the run's end time, and every file with its
size and SHA-256, sorted by path. The SHA-256 of MANIFEST.json's bytes identifies the bundle; the
run store keeps it, so a bundle whose manifest was rewritten along with a file is caught too.

Promises:

* Deterministic: the same run directory gives the same bundle bytes (members sorted, fixed
  timestamps and permissions, the manifest's time is the run's own end time, not "now").
* Streaming: files are hashed and compressed in 1 MiB chunks; a large WAV is never held whole.
* :func:`verify_bundle` re-hashes every member and names each file whose bytes changed, is
  missing or was added; one changed byte is enough.

No SQLAlchemy here: the CLI passes the stored manifest hash in and stores the new one. The run's
report.json is read with the one reader of run documents (:mod:`ccinspect.rundir`).
"""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
import zlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from ccinspect.core.rundoc import RunDocumentError, RunHeader
from ccinspect.errors import CcinspectError, Kind
from ccinspect.rundir import read_header

BUNDLE_SCHEMA = "ccinspect.bundle/1"
MANIFEST = "MANIFEST.json"
#: Files taken from the top of the run directory when present.
TOP_FILES = ("report.json", "report.html", "report.pdf", "junit.xml")
#: Folders taken whole (every regular file below them, symlinks excluded).
TOP_DIRS = ("calls", "evidence", "recordings", "report", "screenshots")
CHUNK = 1 << 20
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o100644 << 16
_STORED_SUFFIXES = frozenset({".wav", ".zip", ".gz", ".pdf", ".ogg", ".mp3"})


class BundleError(CcinspectError):
    """A bundle could not be made or read: what failed, where, and what to do next."""

    kind = Kind.USER

    def __init__(self, message: str, message_zh: str, *, hint: str = "") -> None:
        super().__init__(message, message_zh, hint=hint)


@dataclass(frozen=True, slots=True)
class BundleFile:
    """One file: path relative to the run directory (``/``-separated), size, SHA-256 hex."""

    path: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class BundleInfo:
    """A bundle written: where, its manifest's SHA-256, the run and every file it holds."""

    path: Path
    manifest_sha256: str
    run_id: str
    files: tuple[BundleFile, ...]


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """What :func:`verify_bundle` found.

    ``changed``: files whose bytes differ from the manifest (or from ``expected_files``), or that
    cannot be read back (CRC error), or appear twice; ``missing``: in the manifest but not in the
    zip; ``extra``: in the zip but not in the manifest; ``manifest_ok``: the manifest's hash equals
    the expected one (True when none was given). ``ok`` only when all four are clean.
    """

    ok: bool
    changed: tuple[str, ...]
    missing: tuple[str, ...]
    extra: tuple[str, ...]
    manifest_ok: bool
    manifest_sha256: str
    run_id: str
    files_checked: int


def _hash_stream(stream: IO[bytes], sink: IO[bytes] | None = None) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size, digest.hexdigest()


def hash_file(path: Path) -> BundleFile:
    """Size and SHA-256 of one file, read in chunks; ``path`` in the result is the name only."""
    with path.open("rb") as stream:
        size, sha = _hash_stream(stream)
    return BundleFile(path.name, size, sha)


def _members(run_dir: Path) -> Iterator[tuple[str, Path]]:
    for name in TOP_FILES:
        path = run_dir / name
        if path.is_file() and not path.is_symlink():
            yield name, path
    for top in TOP_DIRS:
        base = run_dir / top
        if not base.is_dir() or base.is_symlink():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
            for filename in filenames:
                path = Path(dirpath) / filename
                if path.is_symlink() or not path.is_file() or filename.endswith(".tmp"):
                    continue  # atomic-write leftovers and links are not evidence
                yield path.relative_to(run_dir).as_posix(), path


def bundle_members(run_dir: Path) -> tuple[tuple[str, Path], ...]:
    """The files a bundle of ``run_dir`` holds, as (relative posix path, path), sorted by path."""
    return tuple(sorted(_members(run_dir), key=lambda item: item[0]))


def run_files(run_dir: Path) -> tuple[BundleFile, ...]:
    """Every file a bundle of ``run_dir`` would hold, hashed (streaming), sorted by path."""
    return tuple(BundleFile(rel, *_size_sha(path)) for rel, path in bundle_members(run_dir))


def _size_sha(path: Path) -> tuple[int, str]:
    info = hash_file(path)
    return info.size, info.sha256


def _read_report(run_dir: Path) -> RunHeader:
    try:
        return read_header(run_dir)
    except RunDocumentError as exc:
        raise BundleError(exc.message, exc.message_zh, hint=exc.hint) from exc


def _created(report: RunHeader) -> str | None:
    stamp = report.finished_at or report.started_at
    return None if stamp is None else datetime.fromtimestamp(stamp, UTC).isoformat()


def _manifest_bytes(report: RunHeader, files: list[BundleFile]) -> bytes:
    manifest = {
        "schema": BUNDLE_SCHEMA,
        "run_id": report.run_id,
        "created_at": _created(report),
        "report_schema": report.schema,
        "ccinspect_version": report.ccinspect_version,
        "files": [{"path": f.path, "size": f.size, "sha256": f.sha256} for f in files],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _zip_info(name: str, size: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
    info.create_system = 3  # Unix, whatever the host, so the bytes do not depend on it
    info.external_attr = _FILE_MODE
    info.file_size = size
    stored = Path(name).suffix.lower() in _STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    return info


def make_bundle(run_dir: Path, dest_zip: Path) -> BundleInfo:
    """Write the evidence bundle of ``run_dir`` to ``dest_zip`` (atomically) and describe it.

    Raises :class:`BundleError` when ``run_dir`` is not a run directory or a file cannot be read
    or written. The same run directory always gives the same bytes.
    """
    run_dir = Path(run_dir)
    dest_zip = Path(dest_zip)
    report = _read_report(run_dir)
    tmp = dest_zip.with_name(dest_zip.name + ".tmp")
    files: list[BundleFile] = []
    try:
        dest_zip.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(tmp, "w", allowZip64=True) as archive:
            for rel, path in bundle_members(run_dir):
                with path.open("rb") as source:
                    info = _zip_info(rel, os.fstat(source.fileno()).st_size)
                    with archive.open(info, "w") as sink:
                        size, sha = _hash_stream(source, sink)
                files.append(BundleFile(rel, size, sha))
            manifest = _manifest_bytes(report, files)
            archive.writestr(_zip_info(MANIFEST, len(manifest)), manifest)
        tmp.replace(dest_zip)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise BundleError(
            f"cannot write the bundle {dest_zip} from {run_dir}: {exc}",
            f"无法由 {run_dir} 写出证据包 {dest_zip}：{exc}",
            hint="check free space and permissions, or choose another place with --out",
        ) from exc
    return BundleInfo(dest_zip, hashlib.sha256(manifest).hexdigest(), report.run_id, tuple(files))


def _unreadable(bundle: Path, why: str, why_zh: str) -> BundleError:
    return BundleError(
        f"cannot read the bundle {bundle}: {why}",
        f"无法读取证据包 {bundle}：{why_zh}",
        hint="give a .zip written by `ccinspect bundle`; if it was copied, copy it again",
    )


def _manifest(archive: zipfile.ZipFile, bundle: Path) -> tuple[bytes, str, dict[str, BundleFile]]:
    try:
        raw = archive.read(MANIFEST)
        data = json.loads(raw.decode("utf-8"))
    except KeyError as exc:
        raise _unreadable(bundle, "it has no MANIFEST.json", "缺少 MANIFEST.json") from exc
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError) as exc:
        raise _unreadable(
            bundle, f"MANIFEST.json is damaged ({exc})", f"MANIFEST.json 已损坏（{exc}）"
        ) from exc
    try:
        if data["schema"] != BUNDLE_SCHEMA:
            raise ValueError(f"schema {data['schema']!r}")
        entries = {
            str(f["path"]): BundleFile(str(f["path"]), int(f["size"]), str(f["sha256"]))
            for f in data["files"]
        }
        return raw, str(data["run_id"]), entries
    except (KeyError, TypeError, ValueError) as exc:
        raise _unreadable(
            bundle,
            f"MANIFEST.json is not a {BUNDLE_SCHEMA} manifest ({exc})",
            f"MANIFEST.json 不是 {BUNDLE_SCHEMA} 清单（{exc}）",
        ) from exc


@dataclass(frozen=True, slots=True)
class Manifest:
    """A bundle's manifest: the run it holds, its own SHA-256, and the files it lists by path."""

    run_id: str
    sha256: str
    files: Mapping[str, BundleFile]


def read_manifest(bundle: Path) -> Manifest:
    """The manifest of ``bundle`` without checking any member; raises :class:`BundleError`."""
    bundle = Path(bundle)
    try:
        with zipfile.ZipFile(bundle) as archive:
            raw, run_id, entries = _manifest(archive, bundle)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise _unreadable(
            bundle, f"not a readable zip file ({exc})", f"不是可读的 zip 文件（{exc}）"
        ) from exc
    return Manifest(run_id, hashlib.sha256(raw).hexdigest(), entries)


def _member_digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> BundleFile | None:
    """Size and hash of a member, None when it cannot be read back (CRC or deflate error)."""
    try:
        with archive.open(info) as stream:
            size, sha = _hash_stream(stream)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError):
        return None
    return BundleFile(info.filename, size, sha)


def verify_bundle(
    bundle: Path,
    expected_manifest_sha: str | None = None,
    expected_files: Mapping[str, str] | None = None,
) -> VerifyResult:
    """Re-hash every member of ``bundle`` and compare with its manifest (and what was stored).

    ``expected_manifest_sha``: the manifest hash recorded when the bundle was made (the run
    store's); ``expected_files``: path → SHA-256 recorded for the run, so that files are named
    even when the manifest was rewritten along with them. Raises :class:`BundleError` when the
    bundle cannot be read at all (not a zip, no or damaged manifest).
    """
    bundle = Path(bundle)
    try:
        archive = zipfile.ZipFile(bundle)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise _unreadable(
            bundle, f"not a readable zip file ({exc})", f"不是可读的 zip 文件（{exc}）"
        ) from exc
    with archive:
        raw, run_id, entries = _manifest(archive, bundle)
        manifest_sha = hashlib.sha256(raw).hexdigest()
        manifest_ok = expected_manifest_sha is None or expected_manifest_sha.lower() == manifest_sha
        infos = [i for i in archive.infolist() if i.filename != MANIFEST and not i.is_dir()]
        counts = Counter(i.filename for i in infos)
        changed: set[str] = {name for name, n in counts.items() if n > 1}
        for info in infos:
            if info.filename in changed:
                continue
            digest = _member_digest(archive, info)
            listed = entries.get(info.filename)
            recorded = (expected_files or {}).get(info.filename)
            if (
                digest is None
                or (listed is not None and (listed.size, listed.sha256) != (digest.size, digest.sha256))
                or (recorded is not None and recorded.lower() != digest.sha256)
            ):
                changed.add(info.filename)
        present = set(counts)
        missing = sorted(set(entries) - present)
        extra = sorted(present - set(entries))
    ok = manifest_ok and not changed and not missing and not extra
    return VerifyResult(
        ok,
        tuple(sorted(changed)),
        tuple(missing),
        tuple(extra),
        manifest_ok,
        manifest_sha,
        run_id,
        len(infos),
    )
