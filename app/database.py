"""Opening the store: resolve the location, refuse newer databases, back up, migrate.

The default is a SQLite file in the user's data folder; any SQLAlchemy URL works for a
shared office database.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import platformdirs
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.errors import DatabaseError, DatabaseTooNewError
from app.i18n import _
from db import migrate
from db.engine import make_engine, make_session_factory, sqlite_file, to_url

APP_NAME = "GoldenRule"
APP_AUTHOR = "GoldenRule"


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def default_database_path() -> Path:
    return data_dir() / "goldenrule.sqlite3"


@dataclass
class Database:
    url: str
    engine: Engine
    session_factory: sessionmaker[Session]
    migration: migrate.MigrationReport

    @property
    def path(self) -> Path | None:
        return sqlite_file(self.url)

    @property
    def display_name(self) -> str:
        path = self.path
        return str(path) if path else self.engine.url.render_as_string(hide_password=True)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(path_or_url: str | Path | None = None, *, backup: bool = True) -> Database:
    """Open (creating if needed) and migrate; raises DatabaseTooNewError without writing."""
    if path_or_url is None:
        path_or_url = default_database_path()
    try:
        url = to_url(path_or_url)
        file = sqlite_file(url)
        name = file or make_url(url).render_as_string(hide_password=True)
    except SQLAlchemyError as exc:
        raise DatabaseError(_("'{text}' is neither a file nor a database URL.").format(
            text=path_or_url)) from exc
    if file is not None:
        if file.exists() and file.is_dir():
            raise DatabaseError(_("{path} is a folder, not a database file").format(path=file))
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseError(_("Cannot create the folder for {path}: {error}").format(
                path=file, error=exc.strerror or exc)) from exc
    try:
        engine = make_engine(url)
    except (ImportError, SQLAlchemyError) as exc:
        raise DatabaseError(_("Cannot use the database {name}: {error}").format(
            name=name, error=exc)) from exc
    try:
        report = migrate.upgrade(engine, backup=backup)
    except migrate.DatabaseTooNewError as exc:
        engine.dispose()
        raise DatabaseTooNewError(
            _("The database {name} was written by a newer version of Golden Rule (schema "
              "{rev}); this version knows schemas up to {head}. It was not opened or changed: "
              "install the newer version to use it.").format(
                name=name, rev=exc.revision, head=migrate.head_revision())
        ) from exc
    except migrate.DatabaseUnreadableError as exc:
        engine.dispose()
        raise DatabaseError(
            _("{name} is not a Golden Rule database: {error}").format(name=name, error=exc)
        ) from exc
    except (OSError, SQLAlchemyError) as exc:
        engine.dispose()
        raise DatabaseError(_("Cannot open the database {name}: {error}").format(
            name=name, error=getattr(exc, "orig", None) or exc)) from exc
    return Database(url, engine, make_session_factory(engine), report)
