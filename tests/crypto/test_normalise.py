"""The normaliser behind blind indexes: equal names fold equal, whatever their form."""

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from victimcare.crypto.normalise import duplicate_key, fold_name, id_number, name_tokens, phone

VIETNAMESE = st.text(
    alphabet=st.sampled_from(
        list(
            "aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯ àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ-.'"
        )
    ),
    max_size=40,
)


@given(st.text(max_size=60))
def test_folding_is_idempotent(text):
    assert fold_name(fold_name(text)) == fold_name(text)


@given(st.one_of(st.text(max_size=60), VIETNAMESE))
def test_nfc_and_nfd_fold_the_same(text):
    assert fold_name(unicodedata.normalize("NFC", text)) == fold_name(unicodedata.normalize("NFD", text))
    assert name_tokens(unicodedata.normalize("NFC", text)) == name_tokens(unicodedata.normalize("NFD", text))


@given(VIETNAMESE)
def test_folded_vietnamese_is_plain_lowercase_ascii(text):
    folded = fold_name(text)
    assert folded == folded.strip() and "  " not in folded
    assert all(c == " " or ("a" <= c <= "z") for c in folded), folded


@given(st.lists(st.text(alphabet="abcdefghiklmnopqrstuvxy", min_size=1, max_size=8), min_size=1, max_size=5))
def test_word_order_does_not_change_tokens(words):
    assert name_tokens(" ".join(words)) == name_tokens(" ".join(reversed(words)))


@pytest.mark.parametrize(
    "variant",
    [
        "Lò Thị Xuyến",
        "LO THI XUYEN",
        "Xuyến Lò Thị",
        "lò  thị-xuyến",
        unicodedata.normalize("NFD", "Lò Thị Xuyến"),
    ],
)
def test_the_spellings_of_one_name_share_tokens(variant):
    assert name_tokens(variant) == "lo thi xuyen"


def test_d_with_stroke_folds_to_d():
    assert fold_name("Đặng") == fold_name("Dang") == "dang"
    assert fold_name("đặng") == "dang"


def test_id_numbers_ignore_spacing_and_keep_the_document_type():
    assert id_number("citizen_id", "0153 0400-1234") == "citizen_id:015304001234"
    assert id_number("passport", "c1234567") == "passport:C1234567"
    assert id_number("citizen_id", " - ") == ""


@pytest.mark.parametrize("text", ["0912 345 678", "+84 912 345 678", "84912345678", "(091) 2345678"])
def test_vietnamese_phone_numbers_become_e164(text):
    assert phone(text) == "+84912345678"


def test_a_non_number_is_not_a_phone():
    assert phone("không có") == "" and phone("12") == ""


def test_duplicate_key_needs_name_and_year():
    assert duplicate_key("Xuyến Lò Thị", 2004) == duplicate_key("LO THI XUYEN", 2004)
    assert duplicate_key("Lò Thị Xuyến", None) == ""
