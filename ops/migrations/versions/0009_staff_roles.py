"""Staff roles: ``agent`` or ``admin`` (an agent who also operates).

An existing install's oldest account becomes the admin, so it is never left without one.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "staff",
        sa.Column("role", sa.String(16), nullable=False, server_default="agent"),
    )
    op.execute("UPDATE staff SET role = 'admin' WHERE id = (SELECT MIN(id) FROM staff)")


def downgrade() -> None:
    op.drop_column("staff", "role")
