"""Messages the bot has not answered yet (fail-open and recovery).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING = sa.text("bot_input IS NOT NULL")


def upgrade() -> None:
    op.add_column("messages", sa.Column("bot_input", sa.Text(), nullable=True))
    op.add_column(
        "messages",
        sa.Column("bot_payload", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index(
        "ix_messages_awaiting_bot",
        "messages",
        ["conversation_id"],
        sqlite_where=PENDING,
        postgresql_where=PENDING,
    )


def downgrade() -> None:
    op.drop_index("ix_messages_awaiting_bot", table_name="messages")
    op.drop_column("messages", "bot_payload")
    op.drop_column("messages", "bot_input")
