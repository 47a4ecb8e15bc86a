"""Callback requests keep the time window the customer's words were understood as.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing requests keep NULL windows: their words were never parsed, so a person reads them.
    with op.batch_alter_table("callback_requests") as table:
        table.add_column(sa.Column("window_start", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("window_end", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("callback_requests") as table:
        table.drop_column("window_end")
        table.drop_column("window_start")
