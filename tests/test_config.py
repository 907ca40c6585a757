"""The environment decides the settings; production refuses what it cannot run safely with."""

import pytest

from victimcare import create_app
from victimcare.config import ConfigurationError, load_config


def test_development_defaults_to_sqlite_in_the_instance_folder(tmp_path):
    config = load_config({}, tmp_path)
    assert f"sqlite:///{tmp_path / 'victimcare.db'}" == config.SQLALCHEMY_DATABASE_URI
    assert config.RATELIMIT_STORAGE_URI == "memory://"


def test_development_creates_a_private_secret_key_once(tmp_path):
    first = load_config({}, tmp_path).SECRET_KEY
    assert first == load_config({}, tmp_path).SECRET_KEY
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_environment_variables_override_defaults(tmp_path):
    config = load_config(
        {
            "DATABASE_URL": "postgresql+psycopg://u@h/db",
            "SECRET_KEY": "s",
            "PORT": "8080",
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            "VICTIMCARE_KEYRING": "/etc/vc/keyring",
        },
        tmp_path,
    )
    assert config.SQLALCHEMY_DATABASE_URI == "postgresql+psycopg://u@h/db"
    assert (config.SECRET_KEY, config.PORT, config.VICTIMCARE_KEYRING) == ("s", 8080, "/etc/vc/keyring")


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigurationError, match="SECRET_KEY"):
        create_app(
            environ={
                "VICTIMCARE_ENV": "production",
                "VICTIMCARE_INSTANCE": str(tmp_path),
                "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
            }
        )


def test_production_refuses_per_worker_rate_limit_counters(tmp_path):
    with pytest.raises(ConfigurationError, match="RATELIMIT_STORAGE_URI"):
        load_config({"VICTIMCARE_ENV": "production", "SECRET_KEY": "s"}, tmp_path)


def test_an_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="VICTIMCARE_ENV"):
        load_config({"VICTIMCARE_ENV": "staging"}, tmp_path)


def test_the_development_database_and_its_folder_are_private_to_the_app_user(tmp_path):
    """Like the keyring: the database file, its WAL and shared memory 0600, a new instance folder 0700."""
    import os
    import stat

    import sqlalchemy as sa

    from victimcare.extensions import db

    instance = tmp_path / "instance"
    old_umask = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        app = create_app(environ={"VICTIMCARE_ENV": "development", "VICTIMCARE_INSTANCE": str(instance)})
        with app.app_context():
            db.session.execute(sa.text("CREATE TABLE probe (x INTEGER)"))
            db.session.commit()
            db.session.execute(
                sa.text("SELECT * FROM probe")
            ).all()  # the connection holds -wal and -shm open
            files = sorted(instance.glob("victimcare.db*"))
            modes = {f.name: stat.S_IMODE(f.stat().st_mode) for f in files}
            db.session.remove()
            db.engine.dispose()
    finally:
        os.umask(old_umask)
    assert {"victimcare.db", "victimcare.db-wal", "victimcare.db-shm"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)
    assert stat.S_IMODE(instance.stat().st_mode) == 0o700
