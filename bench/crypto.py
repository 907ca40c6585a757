"""Per-field encryption cost: VictimCare's seal/open beside a bare AESGCM call, in one run.

Target (issue 3): at most 3x the bare call. Prints microseconds per operation.
"""

from __future__ import annotations

import os
import sys
import timeit
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402

from bench._setup import bench_app  # noqa: E402
from victimcare import crypto

N = 50_000
PLAINTEXT = "Lò Thị Xuyến, thôn Nậm Cang, xã Sa Pa, tỉnh Lào Cai".encode()


def per_op(statement, number=N) -> float:
    return min(timeit.repeat(statement, number=number, repeat=5)) / number * 1e6


def main() -> None:
    app = bench_app()
    vault = crypto.vault(app)
    from victimcare.extensions import db

    with app.app_context():
        session = db.session()  # the real Session, as model fields use (object_session)
        person, row = uuid.uuid4(), uuid.uuid4()
        vault.new_person_key(session, person)
        sealed = vault.seal(
            session, person_id=person, table="victims", row_id=row, column="full_name", plaintext=PLAINTEXT
        )

        key = AESGCM.generate_key(256)
        aead = AESGCM(key)
        nonce = os.urandom(12)
        aad = b"victims/full_name"
        bare_ct = aead.encrypt(nonce, PLAINTEXT, aad)

        bare_enc = per_op(lambda: aead.encrypt(os.urandom(12), PLAINTEXT, aad))
        bare_dec = per_op(lambda: aead.decrypt(nonce, bare_ct, aad))
        ours_enc = per_op(
            lambda: vault.seal(
                session,
                person_id=person,
                table="victims",
                row_id=row,
                column="full_name",
                plaintext=PLAINTEXT,
            )
        )
        ours_dec = per_op(
            lambda: vault.open(
                session, person_id=person, table="victims", row_id=row, column="full_name", blob=sealed
            )
        )
    print(f"bench/crypto.py — {len(PLAINTEXT)}-byte value, best of 5 x {N:,} calls, one process")
    print(f"  bare AESGCM.encrypt (+ fresh nonce): {bare_enc:7.2f} µs")
    print(
        f"  VictimCare seal (per field):          {ours_enc:7.2f} µs   ratio {ours_enc / bare_enc:4.2f}x  (target ≤ 3x)"
    )
    print(f"  bare AESGCM.decrypt:                 {bare_dec:7.2f} µs")
    print(
        f"  VictimCare open (per field):          {ours_dec:7.2f} µs   ratio {ours_dec / bare_dec:4.2f}x  (target ≤ 3x)"
    )
    ok = ours_enc / bare_enc <= 3 and ours_dec / bare_dec <= 3
    print("  result:", "within target" if ok else "OVER TARGET")


if __name__ == "__main__":
    main()
