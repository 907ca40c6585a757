"""Normal forms of searchable values, so equal things get equal blind indexes.

Vietnamese names are written with or without diacritics, in any case, in NFC or NFD, and in
either order of family and given names; "Lò Thị Xuyến", "LO THI XUYEN" and "Xuyến Lò Thị" are
the same person's name to a searcher.
"""

from __future__ import annotations

import re
import unicodedata

import phonenumbers

_SEPARATORS = re.compile(r"[\W_]+", re.UNICODE)
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


def fold_name(text: str | None) -> str:
    """NFKC, casefold, đ→d, strip combining marks, punctuation→space, collapse spaces."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = text.replace("đ", "d")
    text = "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c))
    text = unicodedata.normalize("NFKC", text)
    return " ".join(_SEPARATORS.sub(" ", text).split())


def name_tokens(text: str | None) -> str:
    """The folded name with its words sorted: word order stops mattering."""
    return " ".join(sorted(fold_name(text).split()))


def id_number(document_type: str | None, number: str | None) -> str:
    """Document type and its letters and digits only: "0790 8812 3456" equals "079088123456"."""
    cleaned = "".join(c for c in unicodedata.normalize("NFKC", number or "").upper() if c.isalnum())
    return f"{document_type or 'id'}:{cleaned}" if cleaned else ""


def phone(text: str | None, region: str = "VN") -> str:
    """E.164 ("+84912345678"), or "" when the text is not a possible phone number."""
    if not text:
        return ""
    if _E164.fullmatch(text):
        return text  # already canonical (values are stored this way)
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def duplicate_key(name: str | None, birth_year: int | None) -> str:
    """Name (any order) and birth year: the key of possible duplicates and re-trafficking."""
    tokens = name_tokens(name)
    return f"{tokens}|{birth_year}" if tokens and birth_year else ""
