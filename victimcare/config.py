"""Settings read from the environment, one class per environment.

Development fills in safe local defaults (a SQLite file and a secret in ``instance/``) so that
``make run`` just works; production refuses to start without the secrets it cannot invent.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path

from victimcare.private_files import create_once

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable app; the message says what to fix."""


def _private_file(path: Path, make_content) -> str:
    """Read a file only its owner may read, creating it (mode 0600) on first use."""
    if not path.exists():
        create_once(path, make_content())
    return path.read_text().strip()


def _proxy_count(text: str) -> int:
    """How many reverse proxies stand in front of the app; their X-Forwarded-* headers are believed."""
    if not text.strip().isdigit():
        raise ConfigurationError(
            f"VICTIMCARE_TRUSTED_PROXIES={text!r} must be a whole number: how many reverse proxies "
            f"set X-Forwarded-For in front of the app (0 when clients connect directly)."
        )
    return int(text)


def _roles(text: str | None, default: tuple[str, ...]) -> tuple[str, ...]:
    """``supervisor,auditor,admin`` or ``all``: the roles that must log in with a second factor."""
    from victimcare.accounts.models import Role

    if not text:
        return default
    if text.strip() == "all":
        return tuple(role.value for role in Role)
    roles = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = sorted(set(roles) - {role.value for role in Role})
    if unknown:
        raise ConfigurationError(
            f"VICTIMCARE_SECOND_FACTOR_ROLES names unknown roles: {', '.join(unknown)} "
            f"(use roles from {', '.join(role.value for role in Role)}, or all)."
        )
    return roles


class Config:
    """Defaults every environment shares; environment variables override them."""

    ENV_NAME = "development"
    TESTING = False

    # Sessions (DESIGN.md §7b): server-side rows, this cookie only names one.
    SESSION_IDLE_TIMEOUT = timedelta(minutes=15)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=10)
    SESSION_TOUCH_INTERVAL = timedelta(seconds=30)
    SESSION_COOKIE_NAME = "victimcare_session"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    PERMANENT_SESSION_LIFETIME = timedelta(hours=10)
    REMEMBER_COOKIE_DURATION = timedelta(0)

    # Login throttling: per IP through Flask-Limiter, per account in the database.
    LOGIN_RATE_LIMIT = "20 per minute;200 per hour"
    LOGIN_LOCK_AFTER_FAILURES = 5
    LOGIN_LOCK_BASE_DELAY = timedelta(seconds=30)
    LOGIN_LOCK_MAX_DELAY = timedelta(hours=1)
    LOGIN_THROTTLE_RETENTION = timedelta(days=1)  # failures older than this (and no lock) are forgotten
    RATELIMIT_HEADERS_ENABLED = True
    # Each intake duplicate check asks whether someone exists: a person may ask only so many (per user).
    INTAKE_CHECK_LIMIT = "60 per hour"

    # Two-factor login (issue 17): the roles that must use an authenticator app ("all" in
    # VICTIMCARE_SECOND_FACTOR_ROLES: every role); how long the code page waits after the password;
    # how long a confirmation (a code, or a password without a second factor) opens dangerous acts.
    SECOND_FACTOR_ROLES = ("supervisor", "auditor", "admin")
    LOGIN_CODE_TIMEOUT = timedelta(minutes=5)
    STEP_UP_VALIDITY = timedelta(minutes=5)

    PASSWORD_MIN_LENGTH = 12
    # "default" is argon2-cffi's own profile; tests may pick a cheaper one.
    PASSWORD_HASH_PROFILE = "default"

    WTF_CSRF_TIME_LIMIT = 3600 * 10
    BABEL_DEFAULT_LOCALE = "vi"
    BABEL_DEFAULT_TIMEZONE = "Asia/Ho_Chi_Minh"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("vi", "en")

    # Blind-index truncation (DESIGN.md §6): about log2(expected rows) − 1 bits, so a bucket holds
    # a few people and an index alone never singles one out. Changing it needs a reindex.
    # Referral answer deadlines (issue 5): urgent in hours, normal in Vietnamese working days.
    REFERRAL_URGENT_HOURS = 24
    REFERRAL_NORMAL_WORKING_DAYS = 3
    PUBLIC_HOLIDAYS_FILE = None  # a CSV like victimcare/data/public_holidays_vn.csv; None: that file
    # Support (issue 6; DOMAIN.md §4): essential-needs limit in days (Decree 162 Art 17), decisions on
    # schooling, vocational and hardship applications in working days (Art 24), follow-up visits in
    # months after the reintegration plan starts (configurable).
    SUPPORT_LODGING_DAYS = 120
    # Counts below this are shown as "<N" in anything that leaves the owning agency (DOMAIN.md §6).
    REPORT_SMALL_CELL_THRESHOLD = 10
    SUPPORT_DECISION_WORKING_DAYS = 9
    SUPPORT_FOLLOW_UP_MONTHS = (1, 3, 6, 12)

    # How often `flask keys rotate` + `keys retire` run (cron, see the README; VICTIMCARE_KEY_ROTATION_DAYS):
    # an erasure is complete in backups and other copies only when the KEK that wrapped the erased key is
    # retired. The case page tells supervisors the date this schedule promises; `keys status` flags a late one.
    KEY_ROTATION_DAYS = 30

    BLIND_INDEX_BITS = {"name_folded": 16, "name_tokens": 16, "id_number": 16, "phone": 16, "dup_key": 16}

    # Audit checkpoints (issue 13): cron signs the chain's head every interval; `audit verify` fails
    # when the newest signed checkpoint is older than interval + grace (the log may have been cut).
    AUDIT_CHECKPOINT_INTERVAL = timedelta(minutes=15)
    AUDIT_CHECKPOINT_GRACE = timedelta(minutes=10)

    BOOTSTRAP_SERVE_LOCAL = True
    # hide_parameters: a database error names its SQL but never its values (a username typed at
    # login, a password hash, a blind index), so logs and tracebacks carry no personal data.
    # Connections are tested after idling, not at every checkout (database.ping_after_idle).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"hide_parameters": True}
    DEMO_PASSWORD = "victimcare-demo"

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        self.INSTANCE_PATH = str(instance_path)
        self.SQLALCHEMY_DATABASE_URI = environ.get(
            "DATABASE_URL", f"sqlite:///{instance_path / 'victimcare.db'}"
        )
        # `flask db upgrade` and `flask db grant-app-role` connect with this URL (the owner role) when set;
        # set it only where migrations run, never in the app's own environment.
        self.DATABASE_MIGRATION_URL = environ.get("DATABASE_MIGRATION_URL") or None
        self.RATELIMIT_STORAGE_URI = environ.get("RATELIMIT_STORAGE_URI", "memory://")
        self.VICTIMCARE_KEYRING = environ.get("VICTIMCARE_KEYRING", str(instance_path / "keyring.json"))
        self.PORT = int(environ.get("PORT", "5000"))
        self.TRUSTED_PROXIES = _proxy_count(environ.get("VICTIMCARE_TRUSTED_PROXIES", "0"))
        self.SECOND_FACTOR_ROLES = _roles(
            environ.get("VICTIMCARE_SECOND_FACTOR_ROLES"), self.SECOND_FACTOR_ROLES
        )
        self.KEY_ROTATION_DAYS = int(environ.get("VICTIMCARE_KEY_ROTATION_DAYS", self.KEY_ROTATION_DAYS))
        # Signed audit checkpoints also go here, outside the database (ideally another disk or host).
        self.AUDIT_CHECKPOINT_DIR = environ.get(
            "VICTIMCARE_CHECKPOINT_DIR", str(instance_path / "checkpoints")
        )
        self.AUDIT_CHECKPOINT_ORIGIN = environ.get("VICTIMCARE_CHECKPOINT_ORIGIN", "victimcare/audit")
        for name, variable in (
            ("AUDIT_CHECKPOINT_INTERVAL", "VICTIMCARE_CHECKPOINT_INTERVAL_MINUTES"),
            ("AUDIT_CHECKPOINT_GRACE", "VICTIMCARE_CHECKPOINT_GRACE_MINUTES"),
        ):
            if environ.get(variable):
                setattr(self, name, timedelta(minutes=float(environ[variable])))
        self.SECRET_KEY = environ.get("SECRET_KEY") or self.default_secret_key(instance_path)
        # The largest request body read (Flask answers 413 before reading more). No page uploads a
        # file (imports run from the command line); the longest form, a 20,000-character narrative
        # URL-encoded, stays under 250 kB.
        self.MAX_CONTENT_LENGTH = int(environ.get("VICTIMCARE_MAX_CONTENT_LENGTH", 2 * 1024 * 1024))

    def default_secret_key(self, instance_path: Path) -> str:
        return _private_file(instance_path / "secret_key", lambda: secrets.token_hex(32))


class DevelopmentConfig(Config):
    pass


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    PASSWORD_HASH_PROFILE = "cheapest"

    def default_secret_key(self, instance_path: Path) -> str:
        return secrets.token_hex(32)


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-victimcare_session"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"

    def __init__(self, environ: Mapping[str, str], instance_path: Path) -> None:
        super().__init__(environ, instance_path)
        if self.RATELIMIT_STORAGE_URI.startswith("memory"):
            # Each worker would count on its own; several workers need one shared counter.
            raise ConfigurationError(
                "RATELIMIT_STORAGE_URI must name a shared store (e.g. redis://127.0.0.1:6379/0) "
                "when VICTIMCARE_ENV=production."
            )

    def default_secret_key(self, instance_path: Path) -> str:
        raise ConfigurationError("SECRET_KEY must be set when VICTIMCARE_ENV=production.")


ENVIRONMENTS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_config(environ: Mapping[str, str] = os.environ, instance_path: Path = INSTANCE_PATH):
    """The config object for ``VICTIMCARE_ENV`` (development by default)."""
    name = environ.get("VICTIMCARE_ENV", "development")
    try:
        config_class = ENVIRONMENTS[name]
    except KeyError:
        raise ConfigurationError(
            f"VICTIMCARE_ENV={name!r} is not one of {', '.join(ENVIRONMENTS)}."
        ) from None
    return config_class(environ, instance_path)
