"""Sealed values: round trips, and loud failures when a ciphertext is moved, altered or keyed wrongly."""

import struct

import pytest
import sqlalchemy as sa

from tests.helpers import add_case, db_session
from victimcare import crypto
from victimcare.cases.models import Case, Victim
from victimcare.crypto import DecryptionError, KeyNotFound
from victimcare.crypto.fields import forget_plaintext
from victimcare.crypto.models import DataKey


def _victim(session, reference):
    return session.scalar(sa.select(Case).where(Case.reference == reference)).victim


def _raw(session, victim_id, column):
    return session.execute(
        sa.text(f"SELECT {column} FROM victims WHERE id = :id"),
        {"id": victim_id.hex if session.get_bind().dialect.name == "sqlite" else victim_id},
    ).scalar_one()


def _write_raw(session, victim_id, column, value):
    key = victim_id.hex if session.get_bind().dialect.name == "sqlite" else victim_id
    session.execute(sa.text(f"UPDATE victims SET {column} = :v WHERE id = :id"), {"v": value, "id": key})
    session.commit()


def _fresh(session, victim_id):
    session.expunge_all()
    session.info.clear()
    return session.get(Victim, victim_id)


def test_values_round_trip_and_are_not_stored_in_clear(seeded):
    from datetime import date

    reference = add_case(
        seeded,
        full_name="Lò Thị Xuyến",
        date_of_birth=date(2004, 5, 12),
        phone="0912345678",
        guardian=None,
        relatives=[{"name": "Lò Văn Páo", "relation": "bố"}],
    )
    with db_session(seeded) as session:
        victim = _victim(session, reference)
        victim_id = victim.id
        assert b"Xuy" not in _raw(session, victim_id, "full_name")
        victim = _fresh(session, victim_id)
        assert victim.full_name == "Lò Thị Xuyến"
        assert victim.date_of_birth == date(2004, 5, 12) and victim.birth_year == 2004
        assert victim.relatives == [{"name": "Lò Văn Páo", "relation": "bố"}]
        assert victim.guardian is None


def test_each_value_gets_a_fresh_nonce(seeded):
    first = add_case(seeded, full_name="Trùng Tên")
    second = add_case(seeded, full_name="Trùng Tên")
    with db_session(seeded) as session:
        a, b = _victim(session, first), _victim(session, second)
        assert _raw(session, a.id, "full_name") != _raw(session, b.id, "full_name")


def test_a_ciphertext_moved_to_another_column_fails_to_open(seeded):
    reference = add_case(seeded, full_name="Nguyễn Thị Hoa", other_names="Hoa Nhỏ")
    with db_session(seeded) as session:
        victim_id = _victim(session, reference).id
        _write_raw(session, victim_id, "other_names", _raw(session, victim_id, "full_name"))
        with pytest.raises(DecryptionError, match="other_names"):
            _ = _fresh(session, victim_id).other_names  # reading the attribute decrypts it


def test_a_ciphertext_moved_to_another_row_fails_to_open(seeded):
    one = add_case(seeded, full_name="Người Thứ Nhất")
    two = add_case(seeded, full_name="Người Thứ Hai")
    with db_session(seeded) as session:
        a, b = _victim(session, one).id, _victim(session, two).id
        _write_raw(session, b, "full_name", _raw(session, a, "full_name"))
        with pytest.raises(DecryptionError):
            _ = _fresh(session, b).full_name  # reading the attribute decrypts it


def test_a_flipped_bit_fails_to_open(seeded):
    reference = add_case(seeded, full_name="Hà Thị Mỷ")
    with db_session(seeded) as session:
        victim_id = _victim(session, reference).id
        blob = bytearray(_raw(session, victim_id, "full_name"))
        blob[-1] ^= 1
        _write_raw(session, victim_id, "full_name", bytes(blob))
        with pytest.raises(DecryptionError):
            _ = _fresh(session, victim_id).full_name  # reading the attribute decrypts it


def test_a_wrong_key_version_fails_to_open(seeded):
    reference = add_case(seeded, full_name="Vàng Thị Sua")
    with db_session(seeded) as session:
        victim_id = _victim(session, reference).id
        blob = _raw(session, victim_id, "full_name")
        _write_raw(session, victim_id, "full_name", blob[:1] + struct.pack(">I", 2) + blob[5:])
        with pytest.raises(KeyNotFound):
            _ = _fresh(session, victim_id).full_name  # reading the attribute decrypts it
        # A version 2 key that does exist is still the wrong key for this value.
        crypto.vault(seeded).active_version(session, victim_id)
        session.add(
            DataKey(
                person_id=victim_id,
                version=2,
                kek_id=1,
                wrapped=session.scalar(sa.select(DataKey.wrapped).where(DataKey.person_id == victim_id)),
            )
        )
        session.commit()
        with pytest.raises(DecryptionError):
            _ = _fresh(session, victim_id).full_name  # reading the attribute decrypts it


def test_a_data_key_moved_to_another_person_fails_to_unwrap(seeded):
    one = add_case(seeded, full_name="Người Thứ Nhất")
    two = add_case(seeded, full_name="Người Thứ Hai")
    with db_session(seeded) as session:
        a, b = _victim(session, one).id, _victim(session, two).id
        key_a = session.scalar(sa.select(DataKey).where(DataKey.person_id == a))
        key_b = session.scalar(sa.select(DataKey).where(DataKey.person_id == b))
        key_b.wrapped = key_a.wrapped
        session.commit()
        with pytest.raises(DecryptionError, match="data key"):
            _ = _fresh(session, b).full_name  # reading the attribute decrypts it


def test_a_keyring_with_other_keys_cannot_open_anything(seeded):
    reference = add_case(seeded, full_name="Giàng A Lử")
    from victimcare.crypto.keyring import Keyring

    vault = crypto.vault(seeded)
    vault.keyring = Keyring.generate()
    with db_session(seeded) as session, pytest.raises(DecryptionError):
        _ = _victim(session, reference).full_name  # reading the attribute decrypts it


def test_editing_a_value_reseals_it_and_updates_its_index(seeded):
    reference = add_case(seeded, full_name="Tên Cũ")
    with db_session(seeded) as session:
        victim = _victim(session, reference)
        old_blob = _raw(session, victim.id, "full_name")
        victim.full_name = "Tên Hoàn Toàn Mới"
        session.commit()
        victim = _fresh(session, victim.id)
        assert victim.full_name == "Tên Hoàn Toàn Mới"
        assert _raw(session, victim.id, "full_name") != old_blob
        from victimcare.cases.operations import search_victims

        assert [v.id for v in search_victims("name", "ten hoan toan moi")] == [victim.id]
        assert search_victims("name", "Tên Cũ") == []


def test_forgetting_plaintext_reopens_from_the_database(seeded):
    reference = add_case(seeded, full_name="Sùng Thị Dợ")
    with db_session(seeded) as session:
        victim = _victim(session, reference)
        assert victim.full_name == "Sùng Thị Dợ"
        forget_plaintext(victim)
        assert victim.full_name == "Sùng Thị Dợ"
