"""Alembic migrations for the survey app (run with ``ita db upgrade``)."""
