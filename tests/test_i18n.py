"""Vietnamese first, English per user, dates dd/mm/yyyy, and a complete Vietnamese catalogue."""

import re
from datetime import UTC, date, datetime
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.helpers import post

ROOT = Path(__file__).resolve().parent.parent


def test_the_login_page_is_vietnamese_by_default(client):
    page = client.get("/login").text
    assert '<html lang="vi">' in page and "Đăng nhập" in page


def test_a_user_switches_to_english_and_keeps_it_at_the_next_login(login_as, seeded):
    client = login_as("police1")
    post(client, "/account/language", {"locale": "en", "next": "/account"}, token_page="/")
    page = client.get("/account").text
    assert '<html lang="en">' in page and "My account" in page
    again = login_as("police1")
    assert "Hello," in again.get("/").text


def test_an_unknown_language_is_ignored(login_as):
    client = login_as("police1")
    post(client, "/account/language", {"locale": "xx"}, token_page="/")
    assert "Xin chào" in client.get("/").text


def test_anonymous_visitors_can_switch_the_login_page(client):
    post(client, "/account/language", {"locale": "en", "next": "/login"})
    assert "Log in" in client.get("/login").text


def test_dates_are_day_first_and_numbers_use_vietnamese_separators(app):
    from victimcare.i18n import format_day, format_moment, format_number

    with app.test_request_context():
        assert format_day(date(2026, 3, 7)) == "07/03/2026"
        # 20:30 UTC is 03:30 the next morning in Hà Nội
        assert format_moment(datetime(2026, 3, 7, 20, 30, tzinfo=UTC)) == "08/03/2026 03:30"
        assert format_day(datetime(2026, 3, 7, 20, 30, tzinfo=UTC)) == "08/03/2026"
        assert format_number(1234567) == "1.234.567"


def _scanned(path: str) -> bool:
    """Every folder but hidden ones and caches: Babel's default also skips "_macros" (the pager's words)."""
    name = Path(path).name
    return not name.startswith(".") and name != "__pycache__"


def test_every_message_in_the_code_has_a_vietnamese_translation():
    method_map = [
        ("victimcare/**.py", "python"),
        ("workflows/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    keywords = {"_": None, "gettext": None, "_l": None, "lazy_gettext": None, "N_": None, "ngettext": (1, 2)}
    found = {
        message if isinstance(message, str) else tuple(message)
        for _, _, message, _, _ in extract_from_dir(
            str(ROOT), method_map, keywords=keywords, directory_filter=_scanned
        )
    }
    with open(ROOT / "translations/vi/LC_MESSAGES/messages.po", "rb") as handle:
        catalogue = read_po(handle, locale="vi")

    def translated(message_id) -> bool:
        entry = catalogue.get(message_id)
        if entry is None:
            return False
        return all(entry.string) if isinstance(entry.string, tuple) else bool(entry.string)

    untranslated = sorted(m for m in found if not translated(m))
    assert not untranslated, "run `make translations-update` and translate: " + repr(untranslated[:10])
    assert len(found) > 100


def test_no_page_or_message_formats_a_date_or_time_itself():
    """Dates and times reach pages, messages and forms only through i18n's formatters (local time,
    dd/mm/yyyy); a ``strftime`` of its own once showed a referral's deadline in UTC. SQL's
    ``func.strftime`` (the statistics' month keys) is not a display."""
    own = re.compile(r"(?<!func)\.strftime\(")
    found = [
        str(path.relative_to(ROOT))
        for pattern in ("victimcare/**/*.py", "templates/**/*.html")
        for path in ROOT.glob(pattern)
        if path.name != "i18n.py" and own.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []
