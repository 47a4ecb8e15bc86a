"""Time arithmetic in SQL that reads the same on SQLite and PostgreSQL.

Timestamps are stored as naive UTC (:class:`payhelp.store.tables.UTCDateTime`): SQLite
keeps them as text, PostgreSQL as ``timestamp``. These expressions turn them into
seconds since the epoch and into calendar days, so figures are computed in SQL alike.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Float, cast, extract, func


def epoch_seconds(column: Any, dialect: str) -> Any:
    """Seconds since 1970-01-01 UTC, as a float."""
    if dialect == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return cast(extract("epoch", column), Float)


def seconds_between(earlier: Any, later: Any, dialect: str) -> Any:
    return epoch_seconds(later, dialect) - epoch_seconds(earlier, dialect)


def day_of(column: Any, dialect: str) -> Any:
    """The UTC calendar day as text, ``YYYY-MM-DD``."""
    if dialect == "sqlite":
        return func.strftime("%Y-%m-%d", column)
    return func.to_char(column, "YYYY-MM-DD")
