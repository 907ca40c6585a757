"""Places a record names: the 34 provinces and 3,321 communes of Vietnam since 1 July 2025, and the
world's countries.

Records store codes (province "15", commune "02647", country "CN"): statistics count them and a
renamed commune keeps its code. People pick and read names. Province names come from our own list
(``victimcare.provinces``); communes from the ``vietnam-provinces`` package (the General Statistics
Office's two-level list of 2025); countries from the CLDR data Babel ships, in the reader's
language. A typed name is read back to its code ignoring case, diacritics and the
"Tỉnh"/"Xã"/"Phường" prefix; anything else is refused by the caller.
"""

from __future__ import annotations

import json
from functools import cache

from babel import Locale

from victimcare.crypto.normalise import fold_name
from victimcare.provinces import province_name, provinces

__all__ = [
    "commune_name",
    "commune_province",
    "communes",
    "countries",
    "country_name",
    "find_commune",
    "find_country",
    "find_province",
    "province_name",
    "provinces",
    "short_province_name",
]

# CLDR territories that are not countries a person comes from or is taken to.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"})
_PROVINCE_PREFIXES = ("thanh pho ", "tinh ")
_COMMUNE_PREFIXES = ("phuong ", "xa ", "dac khu ")


@cache
def _divisions() -> dict[str, dict[str, str]]:
    """Province code → {commune code → name}, communes in the package's (official) order."""
    from vietnam_provinces import NESTED_DIVISIONS_JSON_PATH

    found: dict[str, dict[str, str]] = {}
    for province in json.loads(NESTED_DIVISIONS_JSON_PATH.read_text(encoding="utf-8")):
        found[f"{province['code']:02d}"] = {f"{w['code']:05d}": w["name"] for w in province["wards"]}
    return found


@cache
def _commune_index() -> dict[str, str]:
    """Commune code → its province code."""
    return {code: province for province, names in _divisions().items() for code in names}


def communes(province_code: str | None) -> dict[str, str]:
    """The communes and wards of one province, code → name, sorted by name."""
    names = _divisions().get(province_code or "", {})
    return dict(sorted(names.items(), key=lambda item: _strip(fold_name(item[1]), _COMMUNE_PREFIXES)))


def commune_province(code: str | None) -> str | None:
    return _commune_index().get(code or "")


def commune_name(code: str | None) -> str | None:
    province = commune_province(code)
    return _divisions()[province][code] if province else None


def short_province_name(code: str) -> str:
    """ "Lào Cai" for "Tỉnh Lào Cai", "Hà Nội" for "Thành phố Hà Nội": what people type and scan for."""
    name = province_name(code) or code
    for prefix in ("Thành phố ", "Tỉnh "):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


@cache
def _countries(locale: str) -> dict[str, str]:
    territories = Locale.parse(locale).territories
    named = {
        code: name
        for code, name in territories.items()
        if len(code) == 2 and code.isalpha() and code not in _NOT_COUNTRIES
    }
    return dict(sorted(named.items(), key=lambda item: fold_name(item[1])))


def countries(locale: str | None = None) -> dict[str, str]:
    """ISO 3166-1 alpha-2 code → name in ``locale`` (the request's language by default), by name."""
    return _countries(locale or _current_locale())


def country_name(code: str | None, locale: str | None = None) -> str | None:
    return countries(locale).get((code or "").upper()) if code else None


def _current_locale() -> str:
    from flask import has_request_context
    from flask_babel import get_locale

    return str(get_locale()) if has_request_context() and get_locale() else "vi"


def _strip(folded: str, prefixes: tuple[str, ...]) -> str:
    for prefix in prefixes:
        if folded.startswith(prefix):
            return folded[len(prefix) :]
    return folded


@cache
def _country_names() -> dict[str, str]:
    """Folded name (Vietnamese or English) → code."""
    found: dict[str, str] = {}
    for locale in ("en", "vi"):  # Vietnamese last: it wins where the two spellings meet
        found.update({fold_name(name): code for code, name in _countries(locale).items()})
    return found


def find_country(text: str | None) -> str | None:
    """The country code ``text`` names: a known code ("cn") or a name ("Trung Quốc", "trung quoc")."""
    text = (text or "").strip()
    if len(text) == 2 and text.upper() in _countries("en"):
        return text.upper()
    return _country_names().get(fold_name(text))


def find_province(text: str | None) -> str | None:
    """The province code ``text`` names: its code ("15", "1") or its name, with or without "Tỉnh"."""
    text = (text or "").strip()
    if text.isdigit():
        code = text.zfill(2)
        return code if code in provinces() else None
    wanted = _strip(fold_name(text), _PROVINCE_PREFIXES)
    return (
        next(
            (
                code
                for code, name in provinces().items()
                if _strip(fold_name(name), _PROVINCE_PREFIXES) == wanted
            ),
            None,
        )
        if wanted
        else None
    )


def find_commune(text: str | None, province_code: str | None) -> str | None:
    """The commune code ``text`` names: its code (in ``province_code`` when one is given) or, within
    ``province_code``, its name with or without "Xã"/"Phường". Names repeat across provinces, so a
    name is read only within its province."""
    text = (text or "").strip()
    if text.isdigit():
        code = text.zfill(5)
        province = commune_province(code)
        return code if province and province_code in (None, "", province) else None
    wanted = _strip(fold_name(text), _COMMUNE_PREFIXES)
    if not wanted or not province_code:
        return None
    return next(
        (
            code
            for code, name in _divisions().get(province_code, {}).items()
            if _strip(fold_name(name), _COMMUNE_PREFIXES) == wanted
        ),
        None,
    )
