"""Schema upgrades at start: refuse databases from a newer version, back up, then migrate.

The version check reads the file read-only before anything else opens it, so a database
written by a newer Golden Rule is left byte-for-byte untouched.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from db.engine import sqlite_file

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


class DatabaseTooNewError(Exception):
    def __init__(self, revision: str) -> None:
        super().__init__(revision)
        self.revision = revision


class DatabaseUnreadableError(Exception):
    pass


@dataclass(frozen=True)
class MigrationReport:
    before: str | None
    after: str
    backup: Path | None


#: Tables the models do not describe: SQLite FTS5 virtual tables and their shadow tables,
#: created by migrations with raw SQL. Autogenerate must leave them alone.
UNMODELLED_PREFIXES = ("evidence_fts",)


def include_name(name: str | None, type_: str, _parent: object) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_PREFIXES))


def alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config())


def head_revision() -> str:
    head = _script().get_current_head()
    assert head is not None
    return head


def known_revisions() -> set[str]:
    return {rev.revision for rev in _script().walk_revisions()}


def _readonly_uri(path: Path, *, immutable: bool = False) -> str:
    """A SQLite URI; the path is percent-encoded, else a '#' or '?' in a folder name cuts it."""
    return (f"file:{quote(path.as_posix(), safe='/:')}?mode=ro"
            + ("&immutable=1" if immutable else ""))


def _sqlite_revision_readonly(path: Path) -> str | None:
    # Even a read-only connection creates -wal and -shm files beside a WAL database. With
    # no journal pending, the file alone is the whole database: read it as immutable.
    pending = any(path.with_name(path.name + s).exists() for s in ("-wal", "-journal"))
    try:
        conn = sqlite3.connect(_readonly_uri(path, immutable=not pending), uri=True)
    except sqlite3.Error as exc:
        raise DatabaseUnreadableError(str(exc)) from exc
    try:
        tables = {
            row[0]
            for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseUnreadableError(
                    f"the file holds tables ({', '.join(sorted(tables)[:5])}) but no schema version"
                )
            return None
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as exc:
        raise DatabaseUnreadableError(str(exc)) from exc
    finally:
        conn.close()


def current_revision(engine: Engine) -> str | None:
    path = sqlite_file(str(engine.url))
    if path is not None:
        return _sqlite_revision_readonly(path) if path.exists() else None
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_newer(engine: Engine) -> str | None:
    """Return the stored revision; raise if this version of the program does not know it."""
    revision = current_revision(engine)
    if revision is not None and revision not in known_revisions():
        raise DatabaseTooNewError(revision)
    return revision


def backup_sqlite(path: Path, revision: str) -> Path:
    """A consistent copy through SQLite's backup API (safe with WAL and open readers)."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.stem}.backup-{revision}-{stamp}{path.suffix or '.sqlite3'}")
    src = sqlite3.connect(_readonly_uri(path), uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()
    return target


def upgrade(engine: Engine, target: str = "head", *, backup: bool = True) -> MigrationReport:
    before = check_not_newer(engine)
    head = head_revision() if target == "head" else target
    backup_path: Path | None = None
    if before == head:
        return MigrationReport(before, head, None)
    path = sqlite_file(str(engine.url))
    if backup and before is not None and path is not None and path.exists():
        backup_path = backup_sqlite(path, before)
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
    return MigrationReport(before, head, backup_path)
