"""Shared fixtures for every test layer (unit, integration and the Qt UI tests).

Fixture names and meanings are a contract with tests/ui/: keep them stable.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sqlite3

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Callable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from hypothesis import HealthCheck, settings

from app import keys, users
from app.casedata import CaseData, GoodsData, PartyData
from app.database import Database, open_database
from app.uow import UnitOfWork
from app.users import Actor
from app.vocab import Role

settings.register_profile(
    "ci", deadline=None, max_examples=50,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
settings.load_profile("ci")

ADMIN_PASSWORD = "admin-password-1"
OFFICER_PASSWORD = "officer-password-1"
SUPERVISOR_PASSWORD = "supervisor-password-1"
SUPERVISOR2_PASSWORD = "supervisor-password-2"
CA_PASSWORD = "office-ca-passphrase-1"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing() -> Iterator[None]:
    """Still argon2id, with the cheapest parameters, so a test does not spend 0.2 s per hash.

    Production parameters are checked in tests/unit/test_users.py against the hash the module
    made at import time (``users._DUMMY_HASH``) and against a real CLI run in a subprocess.
    """
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(users, "_hasher",
                   PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))
        yield


@pytest.fixture(scope="session")
def _key_pool() -> list[object]:
    from cryptography.hazmat.primitives.asymmetric import ec

    # Elliptic-curve keys: loading an RSA key from PKCS#12 costs ~50 ms of OpenSSL's key
    # check, every time a test unlocks a key. Production keys are RSA-3072 (test_keys.py).
    return [ec.generate_private_key(ec.SECP256R1()) for _ in range(8)]


@pytest.fixture(scope="session", autouse=True)
def _fast_keys(_key_pool: list[object]) -> Iterator[None]:
    """Real keys and PKCS#12, but drawn from a pool of P-256 keys made once, and fewer PBKDF2
    rounds: issuing and unlocking keys would otherwise cost 0.3 s of every test that needs
    one. Production keys (RSA-3072, 100,000 rounds) are checked in tests/unit/test_keys.py."""
    counter = iter(range(10**9))

    def pooled() -> object:
        return _key_pool[next(counter) % len(_key_pool)]

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(keys, "_new_private_key", pooled)
        mp.setattr(keys, "PKCS12_ROUNDS", 1000)
        yield


@pytest.fixture(scope="session")
def _empty_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One database migrated to head, copied for each test: running the six migrations
    (three of them copying tables in batch mode) for every test would cost more than
    the tests themselves. tests/unit/test_migrations.py runs them for real."""
    path = tmp_path_factory.mktemp("template") / "empty.sqlite3"
    open_database(path).dispose()
    with contextlib.closing(sqlite3.connect(path)) as conn:  # everything into the main file
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def database(tmp_path: Path, _empty_database: Path) -> Iterator[Database]:
    target = tmp_path / "gr.sqlite3"
    shutil.copyfile(_empty_database, target)
    db = open_database(target)
    try:
        yield db
    finally:
        db.dispose()


@pytest.fixture
def uow(database: Database) -> Callable[[], UnitOfWork]:
    """A factory: ``with uow() as u:`` gives a fresh unit of work on the test database."""

    def make() -> UnitOfWork:
        return UnitOfWork(database.session_factory)

    return make


@pytest.fixture
def admin(database: Database) -> Actor:
    with UnitOfWork(database.session_factory) as u:
        return users.create_first_administrator(u, "admin", "Ada Admin", ADMIN_PASSWORD,
                                                ca_password=CA_PASSWORD)


@pytest.fixture
def officer(database: Database, admin: Actor) -> Actor:
    with UnitOfWork(database.session_factory) as u:
        return users.create_user(u, admin, "olga", "Olga Øfficer", Role.OFFICER,
                                 OFFICER_PASSWORD, ca_password=CA_PASSWORD)


@pytest.fixture
def supervisor(database: Database, admin: Actor) -> Actor:
    with UnitOfWork(database.session_factory) as u:
        return users.create_user(u, admin, "sven", "Sven Süpervisor", Role.SUPERVISOR,
                                 SUPERVISOR_PASSWORD, ca_password=CA_PASSWORD)


@pytest.fixture
def supervisor2(database: Database, admin: Actor) -> Actor:
    with UnitOfWork(database.session_factory) as u:
        return users.create_user(u, admin, "zoe", "Zoë Zweite", Role.SUPERVISOR,
                                 SUPERVISOR2_PASSWORD, ca_password=CA_PASSWORD)


@pytest.fixture
def sample_case_data() -> CaseData:
    """A complete, valid application with non-ASCII names throughout."""
    return CaseData(
        licence_type="SIEL",
        applicant_reference="SGA-2026-Ω-017",
        exporter_name="Société Générale d'Armement",
        exporter_address="12 rue de l'Arsenal, 75004 Paris",
        exporter_country="FR",
        exporter_registration="RCS Paris 552 120 222",
        destination="CI",
        end_use="Équipement des unités de gendarmerie pour le maintien de la paix à Abidjan.",
        euc_number="EUC-CI/2026/0042",
        euc_date=date(2026, 1, 12),
        euc_issuer="Ministère de la Défense de Côte d'Ivoire",
        received_date=date(2026, 2, 2),
        deadline=None,
        notes="Dossier reçu par courrier ; traduction jointe. 日本語のメモ.",
        parties=[
            PartyData(role="end_user", name="Gendarmerie nationale de Côte d'Ivoire",
                      address="Plateau, Abidjan", country="CI", kind="police_security"),
            PartyData(role="consignee", name="Société Ivoirienne de Logistique Défense",
                      address="Port autonome d'Abidjan", country="CI", kind="commercial"),
            PartyData(role="freight_forwarder", name="Müller & Søn Spedition GmbH",
                      address="Überseering 5, Hamburg", country="DE", kind="commercial"),
        ],
        goods=[
            GoodsData(description="Fusils d'assaut 5,56 mm, calibre OTAN", control_entry="ML1.a",
                      att_category="VIII", quantity=Decimal("250"), unit="pcs",
                      value=Decimal("412500.00"), currency="EUR"),
            GoodsData(description="Munitions 5,56 × 45 mm", control_entry="ML3.a",
                      att_category="AMMO", quantity=Decimal("100000"), unit="rounds",
                      value=Decimal("38000.50"), currency="EUR"),
            GoodsData(description="Gilets pare-balles, niveau IIIA", control_entry="ML13.d",
                      att_category="NONE", quantity=Decimal("300"), unit="pcs",
                      value=Decimal("95000.25"), currency="USD"),
        ],
    )
