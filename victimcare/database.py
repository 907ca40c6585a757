"""The model base and the column types every domain shares.

Why here: a stable ``naming_convention`` keeps Alembic autogenerate deterministic on SQLite and
PostgreSQL alike, and timestamps are stored in UTC whatever the database does with time zones.
"""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(sa.TypeDecorator):
    """Aware UTC datetimes in, aware UTC datetimes out, on every backend.

    SQLite has no time zone support, so values are stored naive in UTC and re-tagged on load.
    """

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use victimcare.database.utcnow()")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def str_enum(enum_cls: type[StrEnum], length: int = 30) -> sa.Enum:
    """Store an enum as its readable value (not its Python name), checked on write."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def uuid_pk() -> Mapped[uuid.UUID]:
    """UUID primary keys made in Python, so a row's id is known before its INSERT."""
    return mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


def listen(target, identifier: str, fn) -> None:
    """Register an SQLAlchemy event listener once, however many apps are built (tests build many).

    Listeners are registered by each part's ``init_app``, never at import time: importing a module
    changes nothing, and what the app listens to is written down in ``create_app``'s steps.
    """
    if not sa.event.contains(target, identifier, fn):
        sa.event.listen(target, identifier, fn)


def init_app(app) -> None:
    """Every SQLite connection opens with the durability pragmas (before ``db.init_app``)."""
    listen(Engine, "connect", _sqlite_pragmas)


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    """Durability first: WAL with full sync, enforced foreign keys, and waiting on locks."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA secure_delete=ON")  # erased keys leave no bytes behind in free pages
    cursor.close()
    # SQLAlchemy, not the driver, starts transactions (see transactions._sqlite_begin).
    dbapi_connection.isolation_level = None


PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "victimcare.idle_since"


def ping_after_idle(engine: sa.Engine, seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Test a pooled connection before use only when it has been idle ``seconds`` or more.

    ``pool_pre_ping`` tests it at every checkout, and a page view checks out twice (its read, then
    the append of its view events): on PostgreSQL two extra round trips per page, each a wait for
    the server's process on a busy machine (bench/pages.py). A connection used a moment ago is as
    alive as one just pinged; one left idle (a server restart, a firewall's timeout) is tested and,
    if dead, replaced before the request uses it, as pre-ping did. Registered on the app's engine
    by ``create_app``.
    """
    dialect = engine.dialect

    def fresh(dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    def idle(dbapi_connection, record) -> None:
        if record is not None:
            record.info[_IDLE_SINCE] = time.monotonic()

    def ping_if_idle(dbapi_connection, record, proxy) -> None:
        if time.monotonic() - record.info.get(_IDLE_SINCE, 0.0) < seconds:
            return
        try:
            alive = dialect.do_ping(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure means: not usable
            raise sa.exc.DisconnectionError(str(error)) from error
        if not alive:
            raise sa.exc.DisconnectionError("ping failed")

    listen(engine, "connect", fresh)
    listen(engine, "checkin", idle)
    listen(engine, "checkout", ping_if_idle)
