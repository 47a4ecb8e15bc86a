"""The conversation's language (en/zh): the widget's strings, the desk's own lines, the
console's language column and the canned replies follow it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL: not known yet (the widget gave none and the customer has said nothing clear).
    op.add_column("conversations", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("conversations", "language")
