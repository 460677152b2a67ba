"""The evidence base: items with immutable versions, content-addressed originals, tags for
filters, and (on SQLite) an FTS5 index over the current version of each item.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 15:03:09.679683
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import db.types

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

FTS_TABLE = (
    "CREATE VIRTUAL TABLE evidence_fts USING fts5("
    "title, summary, body, actors, places, tokenize = 'unicode61 remove_diacritics 2')"
)


def upgrade() -> None:
    op.create_table('blobs',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('media_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('stored_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_blobs'))
    )
    op.create_table('evidence_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('is_demo', sa.Boolean(), nullable=False),
    sa.Column('created_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('row_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_items_created_by_id_users')),
    sa.ForeignKeyConstraint(['current_version_id'], ['evidence_versions.id'], name=op.f('fk_evidence_items_current_version_id_evidence_versions'), use_alter=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_items'))
    )
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_items_current_version_id'), ['current_version_id'], unique=False)

    op.create_table('evidence_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('value', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'], name=op.f('fk_evidence_tags_item_id_evidence_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_tags'))
    )
    with op.batch_alter_table('evidence_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_tags_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_evidence_tags_kind_value', ['kind', 'value', 'item_id'], unique=False)

    op.create_table('evidence_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('version_no', sa.Integer(), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('publisher', sa.String(length=300), nullable=False),
    sa.Column('source_kind', sa.String(length=40), nullable=False),
    sa.Column('document_ref', sa.String(length=300), nullable=False),
    sa.Column('url', sa.Text(), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('events_from', sa.Date(), nullable=True),
    sa.Column('events_to', sa.Date(), nullable=True),
    sa.Column('countries', sa.JSON(), nullable=False),
    sa.Column('places', sa.Text(), nullable=False),
    sa.Column('actors', sa.JSON(), nullable=False),
    sa.Column('violations', sa.JSON(), nullable=False),
    sa.Column('item_categories', sa.JSON(), nullable=False),
    sa.Column('reliability', sa.String(length=1), nullable=False),
    sa.Column('credibility', sa.String(length=1), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('full_text', sa.Text(), nullable=False),
    sa.Column('attachment_sha256', sa.String(length=64), nullable=True),
    sa.Column('attachment_name', sa.String(length=300), nullable=False),
    sa.Column('created_at', db.types.UtcDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['attachment_sha256'], ['blobs.sha256'], name=op.f('fk_evidence_versions_attachment_sha256_blobs')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evidence_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['item_id'], ['evidence_items.id'], name=op.f('fk_evidence_versions_item_id_evidence_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_versions')),
    sa.UniqueConstraint('item_id', 'version_no', name=op.f('uq_evidence_versions_item_id'))
    )
    with op.batch_alter_table('evidence_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_versions_content_sha256'), ['content_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_versions_item_id'), ['item_id'], unique=False)
        batch_op.create_index('ix_evidence_versions_published_on', ['published_on'], unique=False)

    if op.get_bind().dialect.name == "sqlite":
        # rowid is the evidence item id; db/search.py keeps it in step with the current version.
        op.execute(FTS_TABLE)



def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TABLE IF EXISTS evidence_fts")
    with op.batch_alter_table('evidence_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_versions_published_on')
        batch_op.drop_index(batch_op.f('ix_evidence_versions_item_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_versions_content_sha256'))

    op.drop_table('evidence_versions')
    with op.batch_alter_table('evidence_tags', schema=None) as batch_op:
        batch_op.drop_index('ix_evidence_tags_kind_value')
        batch_op.drop_index(batch_op.f('ix_evidence_tags_item_id'))

    op.drop_table('evidence_tags')
    with op.batch_alter_table('evidence_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_items_current_version_id'))

    op.drop_table('evidence_items')
    op.drop_table('blobs')
