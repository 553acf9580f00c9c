"""Signing residents in by phone and a text-message code: the code's storage, life and limits,
and the account a verified phone leads to."""

import random
import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model

from minsheng.core import clock
from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.core.throttle import TooManyAttempts
from minsheng.notifications.sms import LocmemSmsBackend
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.people import signin
from minsheng.people.models import Resident, SignInCode

pytestmark = pytest.mark.django_db

KNOWN = "13812341234"  # the world's resident 王奎, with an account
UNKNOWN = "13655550000"


@pytest.fixture(autouse=True)
def sms(settings):
    settings.MINSHENG_SMS_BACKEND = "minsheng.notifications.sms.LocmemSmsBackend"
    settings.MINSHENG_SIGNIN_CODES_PER_PHONE = 5
    settings.MINSHENG_SIGNIN_CODES_PER_CLIENT = 20
    settings.MINSHENG_SIGNIN_RESEND_SECONDS = 60
    settings.MINSHENG_SIGNIN_CODE_MINUTES = 5
    settings.MINSHENG_SIGNIN_CODE_ATTEMPTS = 5
    LocmemSmsBackend.sent.clear()
    yield LocmemSmsBackend.sent
    LocmemSmsBackend.sent.clear()


def _last_code(phone: str) -> str:
    text = [s for s in LocmemSmsBackend.sent if s.phone == phone][-1].text
    return re.search(r"\d{6}", text).group()


def _at(minutes: float):
    return clock.frozen_at(START + timedelta(minutes=minutes))


START = clock.now().replace(microsecond=0)


def test_the_code_is_six_digits_sent_by_text_and_stored_only_as_a_keyed_hash(world, sms):
    with _at(0):
        signin.request_code("138-1234-1234", client="10.0.0.1")
    assert len(sms) == 1 and sms[0].phone == KNOWN
    code = _last_code(KNOWN)
    row = SignInCode.objects.get()
    assert row.phone == KNOWN and row.code_hash and code not in row.code_hash
    assert all(code not in str(value) for value in SignInCode.objects.values_list().get())
    # not a plain hash of the code either: a 6-digit code hashed without a key is found by trying them all
    import hashlib
    assert row.code_hash not in {hashlib.sha256(code.encode()).hexdigest(), hashlib.md5(code.encode()).hexdigest()}
    assert row.expires_at - row.created_at == timedelta(minutes=5)


def test_known_and_unknown_phones_get_the_same_answer(world, sms):
    with _at(0):
        assert signin.request_code(KNOWN, client="a") == KNOWN
        assert signin.request_code(UNKNOWN, client="b") == UNKNOWN
    texts = [re.sub(r"\d{6}", "######", text) for text in (s.text for s in sms)]
    assert texts[0] == texts[1]  # the same message, a code either way
    for phone in (KNOWN, UNKNOWN):
        with _at(1), pytest.raises(ValidationFailed) as wrong:
            signin.verify_code(phone, "000000" if _last_code(phone) != "000000" else "111111", client="c")
        assert wrong.value.field_errors["code"]


def test_a_right_code_signs_in_once_and_links_the_resident_with_that_phone(world):
    with _at(0):
        signin.request_code(UNKNOWN, client="a")
    with _at(4.9):
        phone = signin.verify_code(UNKNOWN, _last_code(UNKNOWN), client="a")
        user = signin.account_for_phone(phone)
    resident = Resident.objects.get(phone=UNKNOWN)
    assert resident.user == user and Role.RESIDENT in roles_of(user) and not user.has_usable_password()
    with _at(4.95), pytest.raises(ValidationFailed):  # spent
        signin.verify_code(UNKNOWN, _last_code(UNKNOWN), client="a")
    # signing in again reaches the same account
    with _at(10):
        signin.request_code(UNKNOWN, client="a")
        assert signin.account_for_phone(signin.verify_code(UNKNOWN, _last_code(UNKNOWN), client="a")) == user
    assert get_user_model().objects.filter(resident__phone=UNKNOWN).count() == 1


def test_an_existing_resident_account_is_reused(world):
    with _at(0):
        signin.request_code(KNOWN, client="a")
        user = signin.account_for_phone(signin.verify_code(KNOWN, _last_code(KNOWN), client="a"))
    assert user.pk == world.users["resident"].pk


def test_a_resident_on_file_without_an_account_gets_one(world):
    phone = "13900001111"  # 李秀英, on file, no account
    with _at(0):
        signin.request_code(phone, client="a")
        user = signin.account_for_phone(signin.verify_code(phone, _last_code(phone), client="a"))
    resident = Resident.objects.get(phone=phone)
    assert resident.user == user and user.first_name == "李秀英"
    assert Resident.objects.filter(phone=phone).count() == 1


def test_a_code_expires_after_five_minutes(world):
    with _at(0):
        signin.request_code(KNOWN, client="a")
    with _at(5.01), pytest.raises(ValidationFailed):
        signin.verify_code(KNOWN, _last_code(KNOWN), client="a")


def test_wrong_codes_spend_the_code_after_five(world):
    with _at(0):
        signin.request_code(KNOWN, client="a")
    code = _last_code(KNOWN)
    wrong = [c for c in (f"{random.randrange(10 ** 6):06d}" for _ in range(50)) if c != code][:5]
    with _at(1):
        for guess in wrong:
            with pytest.raises(ValidationFailed):
                signin.verify_code(KNOWN, guess, client=f"10.0.0.{random.randrange(255)}")
        with pytest.raises(ValidationFailed):  # the right one now comes too late
            signin.verify_code(KNOWN, code, client="a")
    assert SignInCode.objects.get().failed_attempts == 5


def test_wrong_codes_from_one_client_are_limited(world, settings):
    settings.MINSHENG_SIGNIN_CLIENT_FAILURES = random.randint(3, 8)
    for i in range(settings.MINSHENG_SIGNIN_CLIENT_FAILURES):
        with pytest.raises(ValidationFailed):
            signin.verify_code(f"1360000{i:04d}", "123456", client="10.9.9.9")
    with pytest.raises(TooManyAttempts):
        signin.verify_code(KNOWN, "123456", client="10.9.9.9")
    with pytest.raises(ValidationFailed):  # another client is not held up
        signin.verify_code(KNOWN, "123456", client="10.9.9.10")


def test_at_most_five_codes_per_phone_per_hour(world, sms):
    for i in range(5):
        with _at(i * 2):
            signin.request_code(UNKNOWN, client=f"c{i}")  # from different addresses: the phone's own limit
    with _at(10), pytest.raises(TooManyAttempts) as refused:
        signin.request_code(UNKNOWN, client="c9")
    assert refused.value.retry_after == 50 * 60
    assert len(sms) == 5
    with _at(60.01):  # the first code left the hour
        signin.request_code(UNKNOWN, client="c9")
    assert len(sms) == 6


def test_a_second_code_waits_a_minute(world, sms):
    with _at(0):
        signin.request_code(KNOWN, client="a")
    with _at(0.5), pytest.raises(TooManyAttempts) as refused:
        signin.request_code(KNOWN, client="a")
    assert refused.value.retry_after == 30
    with _at(1.01):
        signin.request_code(KNOWN, client="a")
    assert len(sms) == 2


def test_codes_per_client_address_are_limited(world, settings, sms):
    settings.MINSHENG_SIGNIN_CODES_PER_CLIENT = limit = random.randint(3, 9)
    with _at(0):
        for i in range(limit):
            signin.request_code(f"1370000{i:04d}", client="10.1.1.1")
        with pytest.raises(TooManyAttempts):
            signin.request_code("13799999999", client="10.1.1.1")
        signin.request_code("13799999999", client="10.1.1.2")
    assert len(sms) == limit + 1


def test_only_mobile_numbers_get_codes(world, sms):
    for raw in ("", "12345", "010-12345678"):
        with pytest.raises(ValidationFailed) as refused:
            signin.request_code(raw, client="a")
        assert refused.value.field_errors["phone"]
    assert sms == []


def test_a_staff_account_never_signs_in_by_text_message(world):
    from minsheng.people.models import Resident
    Resident.objects.create(name="调度员", phone="13511112222", user=world.users["dispatcher1"])
    with pytest.raises(PermissionDenied):
        signin.account_for_phone("13511112222")


def test_the_wechat_openid_binds_to_the_verified_resident(world):
    user = signin.account_for_phone(UNKNOWN)
    assert signin.account_for_openid("o-abc") is None
    signin.bind_wechat(user, "o-abc")
    assert signin.account_for_openid("o-abc") == user
    other = signin.account_for_phone(KNOWN)
    signin.bind_wechat(other, "o-abc")  # proved the other phone: the openid moves
    assert signin.account_for_openid("o-abc") == other
    assert Resident.objects.get(phone=UNKNOWN).wechat_openid == ""


def test_codes_older_than_a_day_are_purged(world, settings):
    with _at(0):
        signin.request_code(KNOWN, client="a")
    with _at(60 * 12):
        signin.request_code(UNKNOWN, client="a")
    assert signin.purge_codes(START + timedelta(hours=24, minutes=1)) == 1
    assert list(SignInCode.objects.values_list("phone", flat=True)) == [UNKNOWN]
    assert ("minsheng.people.signin.purge_codes", 3600) in settings.MINSHENG_PERIODIC_JOBS


class _BrokenGateway:
    def send(self, sms):
        raise ConnectionError("gateway down")


def test_a_failing_gateway_is_a_clear_refusal_that_still_counts(world, settings):
    settings.MINSHENG_SMS_BACKEND = f"{__name__}._BrokenGateway"
    with _at(0), pytest.raises(signin.SmsNotSent) as refused:
        signin.request_code(KNOWN, client="a")
    assert refused.value.status == 503 and "短信发送失败" in refused.value.message
    assert SignInCode.objects.filter(phone=KNOWN).count() == 1  # counted against the hourly limit
