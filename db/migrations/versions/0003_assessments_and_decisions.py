"""Assessments under a framework, findings with citations, mitigation, past incidents and
recorded decisions, plus the exact framework texts they were made under.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28 14:30:05.709350
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('framework_texts',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('framework_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('file_name', sa.String(length=200), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('stored_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_framework_texts'))
    )
    op.create_table('assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=64), nullable=False),
    sa.Column('framework_sha256', sa.String(length=64), nullable=False),
    sa.Column('check_reviews', sa.JSON(), nullable=False),
    sa.Column('current_step', sa.String(length=64), nullable=False),
    sa.Column('created_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assessments_case_id_cases'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_assessments_created_by_id_users')),
    sa.ForeignKeyConstraint(['framework_sha256'], ['framework_texts.sha256'], name=op.f('fk_assessments_framework_sha256_framework_texts')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_assessments_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assessments')),
    sa.UniqueConstraint('case_id', 'framework_id', name=op.f('uq_assessments_case_id'))
    )
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assessments_case_id'), ['case_id'], unique=False)

    op.create_table('past_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('occurred', sa.String(length=10), nullable=False),
    sa.Column('actor', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('items', sa.Text(), nullable=False),
    sa.Column('source', sa.Text(), nullable=False),
    sa.Column('investigated', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_past_incidents_case_id_cases'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_past_incidents'))
    )
    with op.batch_alter_table('past_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_past_incidents_case_id'), ['case_id'], unique=False)

    op.create_table('decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('framework_id', sa.String(length=64), nullable=False),
    sa.Column('framework_version', sa.String(length=40), nullable=False),
    sa.Column('framework_sha256', sa.String(length=64), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=False),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('conditions', sa.JSON(), nullable=False),
    sa.Column('criteria_cited', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('checks', sa.JSON(), nullable=False),
    sa.Column('evaluation', sa.JSON(), nullable=False),
    sa.Column('findings', sa.JSON(), nullable=False),
    sa.Column('status_before', sa.String(length=32), nullable=False),
    sa.Column('status_after', sa.String(length=32), nullable=False),
    sa.Column('decided_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_decisions_assessment_id_assessments')),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_decisions_case_id_cases')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_decisions_decided_by_id_users')),
    sa.ForeignKeyConstraint(['framework_sha256'], ['framework_texts.sha256'], name=op.f('fk_decisions_framework_sha256_framework_texts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decisions'))
    )
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decisions_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_decisions_outcome'), ['outcome'], unique=False)

    op.create_table('findings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('criterion_id', sa.String(length=32), nullable=False),
    sa.Column('level', sa.String(length=64), nullable=True),
    sa.Column('residual_level', sa.String(length=64), nullable=True),
    sa.Column('legal_test_met', sa.Boolean(), nullable=True),
    sa.Column('rationale', sa.Text(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('answer_notes', sa.JSON(), nullable=False),
    sa.Column('mitigation_ids', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_findings_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_findings')),
    sa.UniqueConstraint('assessment_id', 'criterion_id', name=op.f('uq_findings_assessment_id'))
    )
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_findings_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('mitigations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=32), nullable=False),
    sa.Column('measure', sa.Text(), nullable=False),
    sa.Column('verifier', sa.String(length=300), nullable=False),
    sa.Column('criteria', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['assessment_id'], ['assessments.id'], name=op.f('fk_mitigations_assessment_id_assessments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mitigations'))
    )
    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_mitigations_assessment_id'), ['assessment_id'], unique=False)

    op.create_table('citations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('reference', sa.Text(), nullable=False),
    sa.Column('evidence_id', sa.Integer(), nullable=True),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_citations_finding_id_findings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_citations'))
    )
    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_citations_evidence_id'), ['evidence_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_citations_finding_id'), ['finding_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('citations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_citations_finding_id'))
        batch_op.drop_index(batch_op.f('ix_citations_evidence_id'))

    op.drop_table('citations')
    with op.batch_alter_table('mitigations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mitigations_assessment_id'))

    op.drop_table('mitigations')
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_findings_assessment_id'))

    op.drop_table('findings')
    with op.batch_alter_table('decisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decisions_outcome'))
        batch_op.drop_index(batch_op.f('ix_decisions_case_id'))

    op.drop_table('decisions')
    with op.batch_alter_table('past_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_past_incidents_case_id'))

    op.drop_table('past_incidents')
    with op.batch_alter_table('assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assessments_case_id'))

    op.drop_table('assessments')
    op.drop_table('framework_texts')

