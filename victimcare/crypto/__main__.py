"""``python -m victimcare.crypto init PATH``: create a production keyring before the app can start."""

import sys
from pathlib import Path

from victimcare.crypto.keyring import Keyring


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] != "init":
        print("usage: python -m victimcare.crypto init PATH", file=sys.stderr)
        return 2
    path = Path(argv[1])
    if path.exists():
        print(f"{path} already exists; refusing to overwrite a keyring.", file=sys.stderr)
        return 1
    Keyring.generate().save(path)
    print(f"Created {path} (mode 0600). Back it up separately from the database.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
