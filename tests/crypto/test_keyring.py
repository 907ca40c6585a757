"""The keyring file: created privately in development, required and private in production."""

import json
import subprocess
import sys

import pytest

from victimcare import create_app, crypto
from victimcare.crypto.errors import KeyringError
from victimcare.crypto.keyring import Keyring, load_keyring

PRODUCTION = {
    "VICTIMCARE_ENV": "production",
    "SECRET_KEY": "s" * 64,
    "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/0",
}


def test_development_creates_a_private_keyring_on_first_run(tmp_path):
    path = tmp_path / "keyring.json"
    first = load_keyring(path, create=True, strict_permissions=False)
    assert path.stat().st_mode & 0o777 == 0o600
    again = load_keyring(path, create=False, strict_permissions=True)
    assert again.keks == first.keks and again.index_root_key == first.index_root_key
    assert len(first.audit_signing_key) == 32


def test_production_refuses_to_start_without_a_keyring(tmp_path):
    with pytest.raises(KeyringError, match="does not exist.*VICTIMCARE_KEYRING"):
        create_app(
            environ={
                **PRODUCTION,
                "VICTIMCARE_INSTANCE": str(tmp_path),
                "VICTIMCARE_KEYRING": str(tmp_path / "missing.json"),
            }
        )
    assert not (tmp_path / "missing.json").exists()


def test_production_refuses_a_keyring_others_can_read(tmp_path):
    path = tmp_path / "keyring.json"
    Keyring.generate().save(path)
    path.chmod(0o644)
    with pytest.raises(KeyringError, match="chmod 600"):
        create_app(
            environ={**PRODUCTION, "VICTIMCARE_INSTANCE": str(tmp_path), "VICTIMCARE_KEYRING": str(path)}
        )


def test_production_starts_with_a_private_keyring(tmp_path):
    path = tmp_path / "keyring.json"
    Keyring.generate().save(path)
    app = create_app(
        environ={**PRODUCTION, "VICTIMCARE_INSTANCE": str(tmp_path), "VICTIMCARE_KEYRING": str(path)}
    )
    assert crypto.vault(app).keyring.primary_kek_id == 1


def test_a_malformed_keyring_is_refused_with_a_reason(tmp_path):
    path = tmp_path / "keyring.json"
    Keyring.generate().save(path)
    data = json.loads(path.read_text())
    data["keks"][0]["key"] = "c2hvcnQ="
    path.write_text(json.dumps(data))
    with pytest.raises(KeyringError, match="malformed"):
        load_keyring(path, create=False, strict_permissions=False)
    path.write_text("{not json")
    with pytest.raises(KeyringError, match="malformed"):
        load_keyring(path, create=False, strict_permissions=False)


def test_the_init_command_creates_a_keyring_once(tmp_path):
    path = tmp_path / "prod-keyring.json"
    command = [sys.executable, "-m", "victimcare.crypto", "init", str(path)]
    assert subprocess.run(command, capture_output=True).returncode == 0
    assert path.stat().st_mode & 0o777 == 0o600
    before = path.read_text()
    again = subprocess.run(command, capture_output=True, text=True)
    assert again.returncode == 1 and "refusing" in again.stderr
    assert path.read_text() == before


def test_the_primary_kek_cannot_be_retired():
    keyring = Keyring.generate()
    with pytest.raises(KeyringError):
        keyring.retire_kek(1)


def test_workers_starting_together_share_one_keyring_and_secret(tmp_path):
    from concurrent.futures import ProcessPoolExecutor

    from victimcare.config import load_config

    path = tmp_path / "keyring.json"
    with ProcessPoolExecutor(4) as pool:
        keyrings = list(pool.map(_load_index_key, [path] * 8))
        secrets_seen = {load_config({}, tmp_path).SECRET_KEY for _ in range(2)}
    assert len(set(keyrings)) == 1, "every worker uses the same keys"
    assert len(secrets_seen) == 1


def _load_index_key(path):
    return load_keyring(path, create=True, strict_permissions=False).index_root_key
