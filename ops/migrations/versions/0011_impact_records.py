"""Records the impact analytics need: every conversation transition (when it was handed
to a person, claimed, resolved) and every order the bot checked and diagnosed.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_events",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column(
            "conversation_id", sa.String(64), sa.ForeignKey("conversations.id"), nullable=False
        ),
        sa.Column("event", sa.String(24), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(40), nullable=True),
        sa.Column("agent_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.DateTime(), nullable=False),
    )
    op.create_index(
        "ix_conversation_events_conversation", "conversation_events", ["conversation_id", "id"]
    )
    op.create_index("ix_conversation_events_at", "conversation_events", ["at"])
    op.create_table(
        "order_checks",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("conversation_id", sa.String(128), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("payment_cause", sa.String(40), nullable=False),
        sa.Column("detail", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_order_checks_order_created", "order_checks", ["order_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_order_checks_order_created", table_name="order_checks")
    op.drop_table("order_checks")
    op.drop_index("ix_conversation_events_at", table_name="conversation_events")
    op.drop_index("ix_conversation_events_conversation", table_name="conversation_events")
    op.drop_table("conversation_events")
