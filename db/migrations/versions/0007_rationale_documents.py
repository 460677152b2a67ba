"""Signed rationale documents: a PDF, a workbook and its detached signature per decision.

``rationale_documents`` keeps every revision (the officer's, then one per countersignature)
and, on SQLite, triggers refuse UPDATE and DELETE on it, as on ``decisions``.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

TABLE = "rationale_documents"


def upgrade() -> None:
    op.create_table(TABLE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('signed_record_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', db.types.UtcDateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_rationale_documents_created_by_id_users')),
    sa.ForeignKeyConstraint(['decision_id'], ['decisions.id'], name=op.f('fk_rationale_documents_decision_id_decisions')),
    sa.ForeignKeyConstraint(['signed_record_id'], ['decisions.id'], name=op.f('fk_rationale_documents_signed_record_id_decisions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rationale_documents')),
    sa.UniqueConstraint('decision_id', 'kind', 'revision', name=op.f('uq_rationale_documents_decision_id'))
    )
    op.create_index(op.f('ix_rationale_documents_decision_id'), TABLE, ['decision_id'],
                    unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {TABLE}_no_{verb.lower()} BEFORE {verb} ON {TABLE} "
                       f"BEGIN SELECT RAISE(ABORT, '{TABLE} is append-only: "
                       f"{verb} refused by Golden Rule'); END")


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}")
    op.drop_index(op.f('ix_rationale_documents_decision_id'), table_name=TABLE)
    op.drop_table(TABLE)
