"""Unambiguous byte encodings for associated data and MAC inputs."""

from __future__ import annotations

import struct
import uuid


def _bytes(part: bytes | str | int | uuid.UUID) -> bytes:
    if isinstance(part, bytes):
        return part
    if isinstance(part, uuid.UUID):
        return part.bytes
    if isinstance(part, int):
        return str(part).encode()
    return part.encode("utf-8")


def lp(*parts: bytes | str | int | uuid.UUID) -> bytes:
    """Each part prefixed by its 4-byte big-endian length, so ("ab","c") ≠ ("a","bc")."""
    out = bytearray()
    for part in parts:
        data = _bytes(part)
        out += struct.pack(">I", len(data))
        out += data
    return bytes(out)
