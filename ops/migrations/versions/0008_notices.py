"""Live payment events, proactive failure notices and email delivery with retries.

Customers gain their language; the outbox gains delivery state (attempts, next try,
last error); payment events are remembered by id (repeats change nothing); each
failed attempt gets one failure-notice row that the notice job decides on.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("customers", sa.Column("language", sa.String(5), nullable=True))
    with op.batch_alter_table("outbound_messages") as table:
        table.add_column(
            sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        table.add_column(sa.Column("next_attempt_at", sa.DateTime(), nullable=True))
        table.add_column(sa.Column("last_error", sa.Text(), nullable=True))
    op.create_index("ix_outbound_messages_sent_at", "outbound_messages", ["sent_at"])
    op.create_table(
        "payment_events",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("received_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "failure_notices",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("payment_id", sa.String(64), nullable=False, unique=True),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("failed_at", sa.DateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.Integer(), sa.ForeignKey("outbound_messages.id"), nullable=True),
    )
    op.create_index("ix_failure_notices_order_id", "failure_notices", ["order_id"])
    op.create_index("ix_failure_notices_state_failed_at", "failure_notices", ["state", "failed_at"])


def downgrade() -> None:
    op.drop_index("ix_failure_notices_state_failed_at", table_name="failure_notices")
    op.drop_index("ix_failure_notices_order_id", table_name="failure_notices")
    op.drop_table("failure_notices")
    op.drop_table("payment_events")
    op.drop_index("ix_outbound_messages_sent_at", table_name="outbound_messages")
    with op.batch_alter_table("outbound_messages") as table:
        table.drop_column("last_error")
        table.drop_column("next_attempt_at")
        table.drop_column("attempts")
    op.drop_column("customers", "language")
