"""A resident's own account: the sign-in pages, 我的诉求 and a resident's own demand (more
information or photos, withdrawal while unhandled, rating), each through the workflow's table."""

import io
import re
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from minsheng.core.errors import InvalidTransition, PermissionDenied
from minsheng.demands import services
from minsheng.demands.models import Demand, DemandAttachment
from minsheng.demands.workflow import State
from minsheng.notifications.sms import LocmemSmsBackend
from minsheng.people.models import Resident, SignInCode

from ..demands.helpers import PATH, _do, register

pytestmark = pytest.mark.django_db

PHONE = "13812341234"  # the world's resident 王奎, account "resident"


@pytest.fixture(autouse=True)
def sms(settings):
    settings.MINSHENG_SMS_BACKEND = "minsheng.notifications.sms.LocmemSmsBackend"
    LocmemSmsBackend.sent.clear()
    yield LocmemSmsBackend.sent
    LocmemSmsBackend.sent.clear()


def _code(phone: str) -> str:
    return re.search(r"\d{6}", [s for s in LocmemSmsBackend.sent if s.phone == phone][-1].text).group()


def _mine(world, stop: str = "registered", **extra) -> Demand:
    """A demand filed by the world's resident 王奎, brought to ``stop``."""
    extra.setdefault("reporter", services.ReporterInput(name="王奎", phone=PHONE))
    demand = register(world, **extra)
    for actor, action, kwargs in PATH[stop]:
        demand = _do(world, actor, demand, action, **kwargs)
    return Demand.objects.get(pk=demand.pk)


def _photo() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("p.jpg", buffer.getvalue(), content_type="image/jpeg")


# --- the sign-in pages ---------------------------------------------------------------------

def test_signing_in_by_phone_lands_on_my_demands(client, world):
    demand = _mine(world)
    page = client.get(reverse("web:sign_in"))
    assert page.status_code == 200 and "获取验证码" in page.content.decode()
    sent = client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE}, follow=True)
    assert "验证码已发送至 138****1234" in sent.content.decode()
    assert PHONE not in sent.content.decode()
    done = client.post(reverse("web:sign_in"), {"step": "verify", "code": _code(PHONE)}, follow=True)
    assert done.request["PATH_INFO"] == reverse("web:mine")
    body = done.content.decode()
    assert demand.number in body and reverse("web:my_demand", args=[demand.pk]) in body
    assert "修改密码" in body  # the world's resident has a password
    assert int(client.session["_auth_user_id"]) == world.users["resident"].pk


def test_a_new_phone_gets_an_account_without_a_password(client, world):
    client.post(reverse("web:sign_in"), {"step": "send", "phone": "13655550000"})
    done = client.post(reverse("web:sign_in"), {"step": "verify", "code": _code("13655550000")}, follow=True)
    assert done.request["PATH_INFO"] == reverse("web:mine")
    assert "修改密码" not in done.content.decode()
    assert Resident.objects.get(phone="13655550000").user_id == int(client.session["_auth_user_id"])


def test_known_and_unknown_phones_answer_alike(client, world):
    pages = []
    for phone in (PHONE, "13655550000"):
        response = client.post(reverse("web:sign_in"), {"step": "send", "phone": phone}, follow=True)
        masked = phone[:3] + "****" + phone[-4:]
        body = re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]+"', "TOKEN", response.content.decode())
        pages.append((response.status_code, body.replace(masked, "PHONE")))
        client.post(reverse("web:sign_in"), {"step": "other"})
    assert pages[0] == pages[1]


def test_a_wrong_code_is_refused_on_the_form(client, world):
    client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE})
    wrong = "000000" if _code(PHONE) != "000000" else "111111"
    response = client.post(reverse("web:sign_in"), {"step": "verify", "code": wrong})
    assert response.status_code == 400 and "验证码错误或已失效" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInCode.objects.get().failed_attempts == 1


def test_too_many_codes_answer_429_with_the_wait(client, world, settings):
    settings.MINSHENG_SIGNIN_RESEND_SECONDS = 60
    client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE})
    response = client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE})
    assert response.status_code == 429 and "秒后再重新获取" in response.content.decode()


def test_a_staff_phone_is_refused(client, world):
    Resident.objects.create(name="调度员", phone="13511112222", user=world.users["dispatcher1"])
    client.post(reverse("web:sign_in"), {"step": "send", "phone": "13511112222"})
    response = client.post(reverse("web:sign_in"), {"step": "verify", "code": _code("13511112222")})
    assert response.status_code == 403 and "_auth_user_id" not in client.session


def test_the_public_home_and_header_link_to_the_sign_in(client, world):
    body = client.get("/").content.decode()
    assert body.count(reverse("web:sign_in")) >= 2


# --- WeChat -------------------------------------------------------------------------------

class _Answer:
    def __init__(self, payload: dict):
        import json
        self.content = json.dumps(payload).encode()

    def raise_for_status(self):
        pass


def test_wechat_is_off_unless_configured(client, world):
    assert client.get(reverse("web:wechat_start")).status_code == 404
    assert "微信登录" not in client.get(reverse("web:sign_in")).content.decode()


def test_wechat_binds_once_then_signs_in_directly(client, world, settings):
    settings.MINSHENG_WECHAT_APPID, settings.MINSHENG_WECHAT_SECRET = "wx-app", "wx-secret"
    assert "微信登录" in client.get(reverse("web:sign_in")).content.decode()
    start = client.get(reverse("web:wechat_start"))
    assert start.status_code == 302 and start["Location"].startswith("https://open.weixin.qq.com/connect/oauth2/")
    state = re.search(r"state=([^&#]+)", start["Location"]).group(1)
    asked = []

    def fake_request(self, method, url, **kwargs):
        asked.append((url, kwargs.get("params")))
        return _Answer({"access_token": "t", "openid": "o-wang", "refresh_token": "r", "expires_in": 7200,
                        "scope": "snsapi_base"})

    with mock.patch("requests.Session.request", fake_request):
        back = client.get(reverse("web:wechat_callback"), {"code": "c1", "state": state}, follow=True)
    assert asked[0][0].endswith("sns/oauth2/access_token") and asked[0][1]["code"] == "c1"
    assert back.request["PATH_INFO"] == reverse("web:sign_in") and "_auth_user_id" not in client.session
    client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE})
    client.post(reverse("web:sign_in"), {"step": "verify", "code": _code(PHONE)})
    assert Resident.objects.get(phone=PHONE).wechat_openid == "o-wang"
    client.post(reverse("logout"))
    state = re.search(r"state=([^&#]+)", client.get(reverse("web:wechat_start"))["Location"]).group(1)
    with mock.patch("requests.Session.request", fake_request):
        again = client.get(reverse("web:wechat_callback"), {"code": "c2", "state": state}, follow=True)
    assert again.request["PATH_INFO"] == reverse("web:mine")
    assert int(client.session["_auth_user_id"]) == world.users["resident"].pk


def test_a_wechat_callback_with_a_foreign_state_is_refused(client, world, settings):
    settings.MINSHENG_WECHAT_APPID, settings.MINSHENG_WECHAT_SECRET = "wx-app", "wx-secret"
    client.get(reverse("web:wechat_start"))
    with mock.patch("requests.Session.request") as request:
        back = client.get(reverse("web:wechat_callback"), {"code": "c1", "state": "forged"}, follow=True)
    request.assert_not_called()
    assert "微信授权已失效" in back.content.decode() and "_auth_user_id" not in client.session


# --- the resident's own demand ----------------------------------------------------------------

def test_my_demand_shows_the_public_timeline_and_only_to_its_reporter(login, world):
    demand = _mine(world, "in_progress")
    other = register(world)  # someone else's
    client = login("resident")
    page = client.get(reverse("web:my_demand", args=[demand.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and demand.number in body and "签收" in body and "派单" in body
    assert 'id="supplement"' in body and 'id="withdraw"' not in body  # being handled: no withdrawal
    assert client.get(reverse("web:my_demand", args=[other.pk])).status_code == 404
    assert login("staff1").get(reverse("web:my_demand", args=[demand.pk])).status_code == 404


def test_the_resident_adds_information_and_a_photo(login, world):
    demand = _mine(world, "in_progress")
    client = login("resident")
    response = client.post(reverse("web:my_demand_supplement", args=[demand.pk]),
                           {"version": demand.version, "text": "井盖旁边还有一个坑", "photos": [_photo()]})
    assert response.status_code == 302
    demand.refresh_from_db()
    event = demand.events.order_by("-seq").first()
    assert (event.action, event.note, event.public, demand.state) == ("supplement", "井盖旁边还有一个坑", True,
                                                                      State.IN_PROGRESS)
    assert DemandAttachment.objects.filter(demand=demand, event_seq=event.seq).count() == 1
    assert "井盖旁边还有一个坑" in client.get(reverse("web:my_demand", args=[demand.pk])).content.decode()
    empty = client.post(reverse("web:my_demand_supplement", args=[demand.pk]), {"version": demand.version})
    assert empty.status_code == 400 and "请填写补充内容或添加照片" in empty.content.decode()


def test_withdrawing_only_while_unhandled(login, world):
    demand = _mine(world, "pending_dispatch")
    client = login("resident")
    assert 'id="withdraw"' in client.get(reverse("web:my_demand", args=[demand.pk])).content.decode()
    client.post(reverse("web:my_demand_withdraw", args=[demand.pk]),
                {"version": demand.version, "reason": "已自行解决"})
    demand.refresh_from_db()
    assert demand.state == State.CLOSED and demand.close_reason == "已自行解决"
    assert demand.events.order_by("-seq").first().action == "withdraw"
    assert "您已撤回这条诉求（已自行解决）" in client.get(reverse("web:my_demand", args=[demand.pk])).content.decode()
    handled = _mine(world, "dispatched")
    with pytest.raises(InvalidTransition):
        services.withdraw_demand(world.user("resident"), handled.pk, handled.version)
    refused = client.post(reverse("web:my_demand_withdraw", args=[handled.pk]), {"version": handled.version})
    assert refused.status_code == 409 and Demand.objects.get(pk=handled.pk).state == State.DISPATCHED


def test_only_the_reporter_may_supplement_or_withdraw(world):
    demand = register(world)  # reported by 张伟, who has no account
    with pytest.raises(PermissionDenied):
        services.withdraw_demand(world.user("resident"), demand.pk, demand.version)
    with pytest.raises(PermissionDenied):
        services.supplement_demand(world.user("staff1"), demand.pk, demand.version, text="x")


def test_rating_a_resolved_demand(login, world):
    demand = _mine(world, "resolved")
    client = login("resident")
    assert 'id="rate"' in client.get(reverse("web:my_demand", args=[demand.pk])).content.decode()
    client.post(reverse("web:my_demand_rate", args=[demand.pk]), {"solved": "solved", "satisfaction": "satisfied"})
    demand.refresh_from_db()
    assert demand.state == State.REVISITED and demand.satisfaction == "satisfied"
    other = _mine(world, "resolved", reporter=services.ReporterInput(name="张伟", phone="13700001234"))
    with pytest.raises(Exception) as refused:
        services.rate_as_account(world.user("resident"), other.pk, satisfaction="satisfied", solved="solved")
    assert refused.value.status == 404


def test_my_demands_lists_only_what_i_reported(login, world):
    mine = _mine(world)
    other = register(world, title="别人的诉求标题")
    body = login("resident").get(reverse("web:mine")).content.decode()
    assert mine.number in body and other.number not in body


def test_my_demands_lists_what_i_joined_with_me_too_apart(login, world):
    joined = register(world, title="别人反映的井盖缺失")
    services.join_demand(joined.pk, reporter=services.ReporterInput(name="王奎", phone=PHONE), consent=True)
    untouched = register(world, title="与我无关的诉求")
    body = login("resident").get(reverse("web:mine")).content.decode()
    section = body.split('id="joined-demands"', 1)[1]
    assert joined.number in section and f"?number={joined.number}" in section
    assert untouched.number not in body


def test_the_handling_unit_is_told_of_a_supplement(world):
    from minsheng.notifications.models import OutboxMessage

    demand = _mine(world, "in_progress")
    before = OutboxMessage.objects.count()
    services.supplement_demand(world.user("resident"), demand.pk, demand.version, text="路口东侧也坏了",
                               photos=[_photo()])
    told = OutboxMessage.objects.filter(channel="in_app").order_by("-pk")[: OutboxMessage.objects.count() - before]
    assert {m.recipient.username for m in told} == {"handler_cg"}
    assert all("居民补充信息" in m.subject and "路口东侧也坏了" in m.body and "1 张" in m.body for m in told)
    waiting = _mine(world, "registered")  # no unit yet: nobody to tell
    before = OutboxMessage.objects.count()
    services.supplement_demand(world.user("resident"), waiting.pk, waiting.version, text="补充")
    assert OutboxMessage.objects.count() == before


def test_signing_in_returns_to_the_page_asked_for_on_this_site_only(client, world):
    demand = _mine(world)
    target = reverse("web:my_demand", args=[demand.pk])
    client.get(reverse("web:sign_in"), {"next": target})
    client.post(reverse("web:sign_in"), {"step": "send", "phone": PHONE})
    done = client.post(reverse("web:sign_in"), {"step": "verify", "code": _code(PHONE)})
    assert done["Location"] == target
    client.post(reverse("logout"))
    client.get(reverse("web:sign_in"), {"next": "https://evil.example/"})
    client.post(reverse("web:sign_in"), {"step": "send", "phone": "13655550000"})
    done = client.post(reverse("web:sign_in"), {"step": "verify", "code": _code("13655550000")})
    assert done["Location"] == reverse("web:mine")


def test_a_signed_out_resident_is_sent_to_the_phone_sign_in(client, world):
    demand = _mine(world)
    for url in (reverse("web:mine"), reverse("web:my_demand", args=[demand.pk])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("web:sign_in") + "?next=")
