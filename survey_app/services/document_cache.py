"""Rendered report files (PDF, DOCX) kept on disk, so a second download of the same report is
a file read instead of a 2–5 s rendering (issue 19).

A document is kept under a key that is the SHA-256 of

* what it shows: the ``repr`` of the view it is rendered from (``vm.ReportView``,
  ``vm.FollowUpView``, the area summary).  A view is built of frozen dataclasses, strings,
  numbers and tuples, so its ``repr`` holds every figure of the stored result (hence of its
  fingerprint: ``services/result_store.py``), the office's texts and measures, the cover's date
  and names, exactly as the renderer gets them.  A view whose ``repr`` shows an object address
  (``0x…``: something without a value ``repr``) is never kept, since equal views would
  get different keys and different views could not be told apart from them;
* how it is drawn: :func:`rendering_digest`, the SHA-256 of every report template, the fonts and
  the rendering code (so a new template, font or renderer makes new files);
* the kind of document and the format.

So there is nothing to invalidate: a changed text, result or template is a new key.  Files live
in one folder (the instance folder's ``document-cache`` by default); a file is written beside
its final name and renamed, so concurrent workers never read half a file; the oldest files are
removed once there are more than :data:`MAX_FILES`.  Deleting the folder is always safe.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Callable
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent

#: What a rendered document depends on besides its view: templates, fonts, rendering code.
RENDERING_SOURCES = (
    PACKAGE / "templates" / "report",
    PACKAGE / "static" / "fonts",
    PACKAGE / "services" / "reports.py",
    PACKAGE / "services" / "pdf_text.py",
    PACKAGE / "services" / "view_models",
    PACKAGE / "services" / "formatting.py",
)

#: Files kept at most (a yearly report is 0.1–1 MB).
MAX_FILES = 500

_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


@cache
def rendering_digest(sources: tuple[Path, ...] = RENDERING_SOURCES) -> str:
    """SHA-256 over the names and bytes of every file of ``sources`` (once per process)."""
    digest = hashlib.sha256()
    for source in sources:
        files = sorted(p for p in source.rglob("*") if p.is_file()) if source.is_dir() \
            else [source] if source.exists() else []
        for path in files:
            if "__pycache__" in path.parts:
                continue
            name = path.relative_to(source) if source.is_dir() else Path(path.name)
            digest.update(str(name).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def cache_folder(config, instance_path: str) -> Path | None:
    """The folder of the app's documents: ``DOCUMENT_CACHE_DIR``, by default the instance
    folder's ``document-cache``; None (render every time) when it is set to ``""``."""
    configured = config.get("DOCUMENT_CACHE_DIR")
    if configured == "":
        return None
    return Path(configured) if configured else Path(instance_path) / "document-cache"


def document_key(kind: str, fmt: str, view: object) -> str | None:
    """The key of a document, or None when ``view`` cannot be keyed (see the module doc)."""
    shown = repr(view)
    if _ADDRESS.search(shown):
        return None
    digest = hashlib.sha256()
    for part in (kind, fmt, rendering_digest(), shown):
        digest.update(part.encode("utf-8") + b"\0")
    return digest.hexdigest()


def cached_document(directory: Path | str | None, kind: str, fmt: str, view: object,
                    render: Callable[[], bytes]) -> bytes:
    """The document ``render()`` makes of ``view``, from ``directory`` when it was made before.

    ``directory`` None renders every time.  A folder that cannot be written (full disk,
    permissions) only costs the speed-up: the document is still returned.
    """
    key = document_key(kind, fmt, view) if directory is not None else None
    if key is None:
        return render()
    folder = Path(directory)
    path = folder / f"{key}.{fmt}"
    try:
        data = path.read_bytes()
        os.utime(path)  # recently used: trimmed last
        return data
    except OSError:
        pass
    data = render()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".part-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(temporary, path)
        _trim(folder)
    except OSError:
        pass
    return data


def _trim(folder: Path) -> None:
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    if len(files) <= MAX_FILES:
        return
    files.sort(key=lambda p: p.stat().st_mtime)
    for old in files[:len(files) - MAX_FILES]:
        try:
            old.unlink()
        except OSError:
            pass
