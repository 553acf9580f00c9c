"""Phone numbers and resident ID numbers as the intake desk types them: normalised,
refused with a reason that names the field, and masked wherever they are shown."""

from datetime import date

import pytest
from stdnum.cn import ric

from minsheng.core.errors import ValidationFailed
from minsheng.people.validation import (
    is_mobile,
    mask_id_number,
    mask_name,
    mask_phone,
    normalise_id_number,
    normalise_phone,
)


def check_digit(body: str) -> str:
    # calc_check_digit expects the whole number and ignores its last character.
    assert len(body) == 17
    return ric.calc_check_digit(body + "?")


def valid_id(region: str = "110101", born: date = date(1990, 3, 7), serial: str = "123") -> str:
    body = f"{region}{born:%Y%m%d}{serial}"
    return body + check_digit(body)


def wrong_check_digit(number: str) -> str:
    right = number[-1]
    return number[:-1] + next(c for c in "0123456789X" if c != right)


# --- phones -----------------------------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ("13812341234", "13812341234"),
    ("+86 138-1234-1234", "13812341234"),
    ("0086 138 1234 1234", "13812341234"),
    (" 138 1234 1234 ", "13812341234"),
    ("010-12345678", "01012345678"),
    ("0413-5123456", "04135123456"),
    ("(010) 1234 5678", "01012345678"),
])
def test_phone_is_stored_as_digits_only(raw, expected):
    assert normalise_phone(raw) == expected


def test_the_same_mobile_in_any_format_normalises_to_one_value():
    formats = ["13812341234", "+86 138-1234-1234", "138 1234 1234", "+8613812341234"]
    assert {normalise_phone(f) for f in formats} == {"13812341234"}


@pytest.mark.parametrize("raw", [
    "1381234",  # too short
    "138123412",  # still too short for a mobile, and no area code
    "138abcd1234",  # letters
    "电话13812341234",
    "12345678901",  # 11 digits but mobile numbers never start with 12
    "10012341234",  # nor with 10
    "138123412345",  # one digit too many
    "010-123",  # landline with a too short local number
])
def test_invalid_phone_is_refused_on_the_phone_field_quoting_the_input(raw):
    with pytest.raises(ValidationFailed) as info:
        normalise_phone(raw)
    assert list(info.value.field_errors) == ["phone"]
    assert raw in info.value.message
    assert "不是有效的手机号码或固定电话" in info.value.message
    assert info.value.field_errors["phone"] == [info.value.message]


@pytest.mark.parametrize("raw", ["", "   ", "--", None])
def test_missing_phone_asks_for_one(raw):
    with pytest.raises(ValidationFailed) as info:
        normalise_phone(raw)
    assert info.value.field_errors == {"phone": ["请填写联系电话。"]}


def test_mobile_and_landline_are_told_apart():
    assert is_mobile("13812341234")
    assert not is_mobile("01012345678")
    assert not is_mobile("04135123456")


# --- masking --------------------------------------------------------------------------

def test_mobile_is_masked_to_prefix_and_last_four():
    assert mask_phone("13812341234") == "138****1234"


def test_beijing_landline_keeps_area_code_and_last_four():
    masked = mask_phone(normalise_phone("010-12345678"))
    assert masked == "010****5678"
    assert "1234" not in masked


def test_landline_with_four_digit_area_code_and_eight_digit_number():
    masked = mask_phone(normalise_phone("0413-51234567"))
    assert masked == "0413****4567"


def test_landline_with_seven_digit_local_number_keeps_whole_area_code():
    masked = mask_phone(normalise_phone("0413-5123456"))
    assert masked.startswith("0413")
    assert masked.endswith("3456")
    assert "5123456" not in masked


def test_empty_values_mask_to_empty():
    assert mask_phone("") == ""
    assert mask_id_number("") == ""
    assert mask_name("") == ""


def test_id_number_keeps_region_code_and_last_four():
    number = valid_id()
    masked = mask_id_number(number)
    assert masked == number[:6] + "********" + number[-4:]
    assert len(masked) == 18
    assert "19900307" not in masked  # the birth date is hidden


def test_name_keeps_the_surname_only():
    assert mask_name("王奎") == "王*"
    assert mask_name("李秀英") == "李**"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_name("王") == "王*"  # a one-character name still looks masked


# --- ID numbers -----------------------------------------------------------------------

def test_valid_id_number_is_accepted():
    number = valid_id()
    assert normalise_id_number(number) == number


def test_id_number_with_lowercase_x_and_spaces_is_normalised():
    # Find a serial whose check digit is X, as about one ID number in eleven has.
    number = next(n for s in range(100, 200) if (n := valid_id(serial=str(s))).endswith("X"))
    assert normalise_id_number(" " + number.lower() + " ") == number


def test_id_number_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationFailed) as info:
        normalise_id_number(wrong_check_digit(valid_id()))
    assert list(info.value.field_errors) == ["id_number"]
    assert "校验位不正确" in info.value.message


@pytest.mark.parametrize("born", ["19901307", "19900230", "20230229"])
def test_id_number_with_impossible_birth_date_is_refused_even_with_right_checksum(born):
    body = f"110101{born}123"
    number = body + check_digit(body)
    with pytest.raises(ValidationFailed) as info:
        normalise_id_number(number)
    assert list(info.value.field_errors) == ["id_number"]
    assert "出生日期" in info.value.message


def test_id_number_with_unknown_region_code_is_refused():
    body = "99010119900307123"
    with pytest.raises(ValidationFailed) as info:
        normalise_id_number(body + check_digit(body))
    assert list(info.value.field_errors) == ["id_number"]
    assert "地区码" in info.value.message


@pytest.mark.parametrize("number", [valid_id()[:-1], valid_id() + "1", "110101900307123"])
def test_id_number_of_wrong_length_is_refused(number):
    with pytest.raises(ValidationFailed) as info:
        normalise_id_number(number)
    assert list(info.value.field_errors) == ["id_number"]
    assert "长度应为18位" in info.value.message


def test_id_number_with_letters_in_the_body_is_refused():
    number = valid_id()
    with pytest.raises(ValidationFailed) as info:
        normalise_id_number("A" + number[1:])
    assert list(info.value.field_errors) == ["id_number"]
    assert info.value.message.startswith("身份证号码无效")
