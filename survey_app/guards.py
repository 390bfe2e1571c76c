"""Request guards every view shares: bodies the app never asks for are refused before a view runs.

Only the published-results import, the Google Forms import and the instrument-set upload take a
file, so a ``multipart/form-data`` body (or a file part hidden in a text field) anywhere else is
refused with a 400 before a form reads it: WTForms would otherwise hand a view a
``FileStorage`` where it expects text.  A view that takes a file says so with
:func:`accepts_files`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, abort, current_app, request
from flask_babel import gettext as _

View = TypeVar("View", bound=Callable)

_ACCEPTS_FILES = "_ita_accepts_files"


def accepts_files(view: View) -> View:
    """Mark a view that takes a ``multipart/form-data`` upload."""
    setattr(view, _ACCEPTS_FILES, True)
    return view


def _view_accepts_files() -> bool:
    view = current_app.view_functions.get(request.endpoint or "")
    while view is not None:
        if getattr(view, _ACCEPTS_FILES, False):
            return True
        view = getattr(view, "__wrapped__", None)  # through login_required and friends
    return False


def refuse_unexpected_multipart() -> None:
    """Before each request: a multipart body is a 400 unless the view accepts files."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.mimetype.startswith("multipart/") and not _view_accepts_files():
        abort(400, description=_("This form takes no file or multipart data, so nothing was saved."))


def register_request_guards(app: Flask) -> None:
    app.before_request(refuse_unexpected_multipart)
