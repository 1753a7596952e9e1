import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongxin.core import idnumber
from gongxin.core.synthetic import REGIONS


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_design_vectors_are_valid(number):
    assert idnumber.normalize(number) == number


def test_lower_case_x_is_accepted_and_stored_upper_case():
    assert idnumber.normalize(" 11010519491231002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "code", "reason"),
    [
        ("110105194912310021", "check_char", "校验码不正确"),
        ("110105194902300025", "birth_date", "出生日期不存在"),
        ("11010519491231002", "length", "位数不正确（应为18位或15位，实为17位）"),
        ("1101051949123100X2", "format", "格式不正确（前17位应为数字，末位应为数字或X）"),
        ("", "empty", "公民身份号码为空"),
        ("110105230001010010", "birth_date", "出生日期不在合理范围内"),
    ],
)
def test_invalid_numbers_are_refused_with_a_reason(number, code, reason):
    with pytest.raises(idnumber.InvalidIdNumber) as exc:
        idnumber.normalize(number)
    assert exc.value.code == code
    assert exc.value.reason == reason
    # The reason shown to staff and written to logs never repeats the number.
    if number:
        assert number not in str(exc.value)


def test_fifteen_digit_number_is_upgraded():
    assert idnumber.normalize("440524800101001") == "440524198001010013"
    info = idnumber.describe("440524800101001")
    assert info.upgraded_from_15
    assert info.birth_date == dt.date(1980, 1, 1)
    assert info.sex == "男"


def test_describe_reads_birth_date_and_sex():
    info = idnumber.describe("11010519491231002X")
    assert (info.birth_date, info.sex, info.region) == (dt.date(1949, 12, 31), "女", "110105")


def test_abolished_region_codes_are_not_refused():
    # 342301 (巢湖市 as once coded) no longer exists; numbers keep the region that issued them.
    assert idnumber.is_valid("342301196405123229")


def test_mask_keeps_first_six_and_last_four():
    assert idnumber.mask("11010519491231002X") == "110105********002X"


def test_masked_patterns():
    assert idnumber.normalize_masked("3423011964****3229") == "3423011964****3229"
    assert idnumber.masked_agrees("3423011964****3229", "342301196405123229")
    assert not idnumber.masked_agrees("3423011964****3228", "342301196405123229")
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.normalize_masked("3423011964***3229")
    with pytest.raises(idnumber.InvalidIdNumber):
        idnumber.normalize_masked("*" * 18)


valid_numbers = st.builds(
    lambda region, born, seq: (
        f"{region}{born:%Y%m%d}{seq:03d}" + idnumber.check_char(f"{region}{born:%Y%m%d}{seq:03d}")
    ),
    st.sampled_from(REGIONS),
    st.dates(dt.date(1900, 1, 1), dt.date(2020, 12, 31)),
    st.integers(0, 999),
)


@given(valid_numbers, st.integers(0, 17), st.integers(1, 10))
def test_every_single_character_change_of_a_valid_number_is_refused(number, position, shift):
    alphabet = "0123456789X" if position == 17 else "0123456789"
    original = number[position]
    changed_char = alphabet[(alphabet.index(original) + shift) % len(alphabet)]
    if changed_char == original:  # shift of 10 in a 10-symbol alphabet
        changed_char = alphabet[(alphabet.index(original) + 1) % len(alphabet)]
    changed = number[:position] + changed_char + number[position + 1 :]
    assert idnumber.is_valid(number)
    assert not idnumber.is_valid(changed)


@pytest.mark.parametrize(
    "shown", ["3.42301196004125E+17", "3.42301E+17", "３.４２３０１Ｅ＋１７", "4.4e17"]
)
def test_a_number_excel_turned_into_scientific_notation_says_so(shown):
    """What Excel shows for an ID typed into a numeric cell, pasted or read from a file: the
    last digits are gone, and the reason tells the clerk how to get them back."""
    with pytest.raises(idnumber.InvalidIdNumber) as exc:
        idnumber.normalize(shown)
    assert exc.value.code == "scientific" and "设为“文本”" in exc.value.reason
