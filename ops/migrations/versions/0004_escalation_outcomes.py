"""Escalation outcomes kept whole: widen escalations.status and repair truncated rows.

Resolving used to store ``f"resolved:{outcome}"[:16]``, which cut four of the five
outcomes ("resolved:callbac"). Each cut value has exactly one outcome it came from.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

OLD_LENGTH = 16
NEW_LENGTH = 40
# The staff outcomes as they were when rows were truncated (frozen: a migration must not
# change meaning when the desk's list changes later).
OUTCOMES = ("paid", "refund_arranged", "callback_arranged", "explained", "unresolved")

escalations = sa.table("escalations", sa.column("status", sa.String))


def _repairs() -> dict[str, str]:
    """Truncated status -> whole status, for every outcome that was cut."""
    whole = [f"resolved:{outcome}" for outcome in OUTCOMES]
    return {status[:OLD_LENGTH]: status for status in whole if len(status) > OLD_LENGTH}


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch:
        batch.alter_column(
            "status",
            existing_type=sa.String(length=OLD_LENGTH),
            type_=sa.String(length=NEW_LENGTH),
            existing_nullable=False,
        )
    for cut, whole in _repairs().items():
        op.execute(escalations.update().where(escalations.c.status == cut).values(status=whole))


def downgrade() -> None:
    for cut, whole in _repairs().items():
        op.execute(escalations.update().where(escalations.c.status == whole).values(status=cut))
    with op.batch_alter_table("escalations") as batch:
        batch.alter_column(
            "status",
            existing_type=sa.String(length=NEW_LENGTH),
            type_=sa.String(length=OLD_LENGTH),
            existing_nullable=False,
        )
