"""Translated labels for stored enum values, in one place.

Columns hold readable enum values; templates show ``{{ value|label }}`` in the user's language.
Each domain registers its labels here at import time.
"""

from __future__ import annotations

from enum import StrEnum

from flask import g, has_request_context
from flask_babel import LazyString
from wtforms.fields.choices import SelectChoice

_LABELS: dict[tuple[type, str], LazyString] = {}


def register(enum_cls: type[StrEnum], labels: dict[StrEnum, LazyString]) -> None:
    missing = set(enum_cls) - set(labels)
    if missing:
        raise ValueError(f"{enum_cls.__name__} has no label for {sorted(missing)}")
    for member, text in labels.items():
        _LABELS[(enum_cls, member.value)] = text


def label(value: StrEnum | None) -> str:
    if value is None:
        return ""
    key = (type(value), value.value)
    # Translated once per request and language: a list page asks for the same labels many times.
    cache = g.setdefault("_victimcare_labels", {}) if has_request_context() else {}
    text = cache.get(key)
    if text is None:
        text = cache[key] = str(_LABELS.get(key, value.value))
    return text


def choices(enum_cls: type[StrEnum]) -> list[SelectChoice]:
    """Options of a select field in declaration order, labelled in the user's language."""
    return [SelectChoice(value=m.value, label=label(m)) for m in enum_cls]
