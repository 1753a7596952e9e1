"""The one rule for typed text (core.text), and the patterns the API schema states for it:
for any text, the pattern matches exactly when the rule accepts (over the BMP; the schema names
the rest of the rule as a format), and the same for the letter alphabet of 来文文号."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gongxin.core.text import InvalidText, clean, describe, pattern, spreadsheet_cell
from gongxin.documents.alphabet import letter_text
from gongxin.documents.alphabet import pattern as letter_pattern

BMP = st.characters(max_codepoint=0xFFFF, exclude_categories=["Cs"])
TRICKY = st.sampled_from(" \t\n\r\u3000\u200b\ufeff\x00\x07\u202e\u2066\xa0\x1c\u2028\ufffe"
                         "〔〕京组函号0")  # fmt: skip
TEXT = st.text(st.one_of(BMP, TRICKY), max_size=10)


def accepted(rule, text) -> bool:
    try:
        rule(text)
    except InvalidText:
        return False
    return True


@pytest.mark.parametrize("required", [True, False])
@pytest.mark.parametrize("multiline", [True, False])
@settings(max_examples=600, deadline=None)
@given(text=TEXT)
def test_the_schema_pattern_is_the_rule(required, multiline, text):
    regex = re.compile(pattern(required=required, multiline=multiline))
    rule = lambda t: clean(t, max_length=1000, required=required, multiline=multiline)  # noqa: E731
    assert bool(regex.match(text)) == accepted(rule, text)


@settings(max_examples=600, deadline=None)
@given(text=TEXT)
def test_the_letter_number_pattern_is_the_letter_alphabet(text):
    regex = re.compile(letter_pattern())
    assert bool(regex.match(text)) == accepted(lambda t: letter_text(t, max_length=1000), text)


def test_what_is_refused_is_named():
    with pytest.raises(InvalidText) as exc:
        clean("京组函\u202e1号", max_length=100)
    assert exc.value.reason == "第4个字符是U+202E（文字方向控制符），请删除后重新填写"
    assert describe("\x00") == "U+0000（空字符）"
    assert clean(" \ufeff京组函〔2026〕1号\u200b ", max_length=100) == "京组函〔2026〕1号"


def test_cells_that_a_spreadsheet_would_run_are_escaped():
    assert [spreadsheet_cell(v) for v in ("=1+1", "+86", "-", "@SUM(A1)", "张三", 5)] == [
        "'=1+1", "'+86", "'-", "'@SUM(A1)", "张三", 5]  # fmt: skip


def test_the_fast_path_refuses_nothing_the_rule_would_refuse():
    """first_refused answers "nothing refused" from str.isprintable() alone for most text; that
    is only right while every refused character but U+FFFD is non-printable. Checked for every
    code point, so a character added to the rule cannot slip through the fast path."""
    from gongxin.core.text import REPLACEMENT, refused_character

    slips = [cp for cp in range(0x110000) if chr(cp).isprintable() and chr(cp) != REPLACEMENT
             and refused_character(chr(cp))]  # fmt: skip
    assert slips == []
