import datetime as dt

import pytest

from gongxin.core import dates, names, uscc


@pytest.mark.parametrize("code", ["91350100M000100Y43", "914403001922038216"])
def test_uscc_design_vectors_are_valid(code):
    assert uscc.normalize(code) == code


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("91350100M000100Y44", "check_char"),
        ("91350100M000100Y4", "length"),
        ("91350100O000100Y43", "format"),  # letter O is not in the charset
    ],
)
def test_uscc_invalid(code, why):
    with pytest.raises(uscc.InvalidUscc) as exc:
        uscc.normalize(code)
    assert exc.value.code == why


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("买买提•艾力", "买买提·艾力"),
        ("买买提・艾力", "买买提·艾力"),
        ("买买提.艾力", "买买提·艾力"),
        ("买买提．艾力", "买买提·艾力"),
        ("买买提 - 艾力", "买买提·艾力"),
        ("张　三", "张三"),
        (" 张 三 ", "张三"),
        ("ＡＢＣ", "ABC"),
        ("𠮷野", "𠮷野"),
    ],
)
def test_name_normalisation_vectors(raw, expected):
    assert names.normalize(raw) == expected


def test_long_names_are_supported():
    long_name = "阿卜杜热合曼·阿卜杜热西提·买买提明·艾合买提江·热合曼"
    assert len(names.normalize(long_name)) >= 25


def test_control_characters_are_refused_but_private_use_and_new_characters_are_not():
    with pytest.raises(names.InvalidName) as exc:
        names.normalize("张\u200b三")  # zero-width space (format character)
    assert exc.value.code == "control"
    # Household-registration systems map some rare name characters to the private-use area.
    assert names.normalize("张\ue000") == "张\ue000"
    assert names.normalize("张\U00031350") == "张\U00031350"  # CJK Extension H


def test_empty_name_is_refused():
    with pytest.raises(names.InvalidName) as exc:
        names.normalize(" \u3000 ")
    assert exc.value.reason == "姓名或名称为空"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-11-27", dt.date(2026, 11, 27)),
        ("2026年11月27日", dt.date(2026, 11, 27)),
        ("2026/1/5", dt.date(2026, 1, 5)),
        ("20261127", dt.date(2026, 11, 27)),
    ],
)
def test_dates_iso_and_chinese(raw, expected):
    assert dates.parse_date(raw) == expected


def test_impossible_date_is_refused():
    with pytest.raises(dates.InvalidDate) as exc:
        dates.parse_date("2026年2月30日")
    assert "日期不存在" in exc.value.reason


def test_zh_date_has_no_zero_padding():
    assert dates.zh_date(dt.date(2026, 1, 5)) == "2026年1月5日"
