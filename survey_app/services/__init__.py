"""The seams between the web layer and the data: plain functions over a SQLAlchemy session.

Services ``add``/``flush``; the caller (a view or a CLI command) owns the transaction, except
where a function's docstring says it commits (redemption must be one transaction of its own).
"""
