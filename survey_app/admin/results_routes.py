"""Admin console views for results: dashboards, supervisor comparison, exports, reports."""

from __future__ import annotations

from .routes import bp  # noqa: F401
