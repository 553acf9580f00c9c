"""The Aliyun and Tencent SMS adapters, through their official SDKs, against a local fake of each
provider's HTTP endpoint (no Internet): the template code of the message's key, its parameters
(named for Aliyun, positional for Tencent), the signature and the delivery id reach the provider;
a refusal leaves the message for a retry with the provider's reason."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest

from minsheng.notifications import delivery
from minsheng.notifications.models import OutboxMessage
from minsheng.notifications.services import enqueue

TEMPLATES = {"demand.dispatched": "SMS_480512345", "demand.received": "SMS_480500001"}
PARAMS = {"number": "20261206-0042", "unit": "光明街道城管科", "due": "2026-12-09 17:00",
          "link": "https://minsheng.example.cn/track/?number=20261206-0042"}


class FakeProvider(BaseHTTPRequestHandler):
    """Answers Aliyun's RPC SendSms (action in the x-acs-action header, parameters in the query)
    and Tencent's SendSms (X-TC-Action header, JSON body) as the real endpoints do; ``refuse``
    makes it answer with the provider's error instead."""

    requests: list[dict] = []
    refuse = False

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("X-TC-Action"):
            answer = self._tencent(json.loads(body))
        else:
            answer = self._aliyun({k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()})
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _aliyun(self, query: dict) -> dict:
        self.requests.append({"provider": "aliyun", "action": self.headers.get("x-acs-action"),
                              "signed": self.headers.get("Authorization", "").startswith("ACS3-HMAC-SHA256"),
                              **query})
        if self.refuse:
            return {"Code": "isv.BUSINESS_LIMIT_CONTROL", "Message": "触发天级流控", "RequestId": "r-2"}
        return {"Code": "OK", "Message": "OK", "BizId": "900619746936498440^0", "RequestId": "r-1"}

    def _tencent(self, payload: dict) -> dict:
        self.requests.append({"provider": "tencent", "action": self.headers.get("X-TC-Action"),
                              "signed": self.headers.get("Authorization", "").startswith("TC3-HMAC-SHA256"),
                              **payload})
        if self.refuse:
            return {"Response": {"Error": {"Code": "FailedOperation.TemplateIncorrectOrUnapproved",
                                           "Message": "template is not approved"}, "RequestId": "t-2"}}
        return {"Response": {"SendStatusSet": [
            {"SerialNo": "5000:1045710669157053657849499619", "PhoneNumber": payload["PhoneNumberSet"][0], "Fee": 1,
             "SessionContext": payload.get("SessionContext", ""), "Code": "Ok", "Message": "send success",
             "IsoCode": "CN"}], "RequestId": "t-1"}}

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def provider(settings):
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeProvider)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FakeProvider.requests = []
    FakeProvider.refuse = False
    settings.MINSHENG_SMS_ENDPOINT = f"http://127.0.0.1:{server.server_address[1]}"
    settings.MINSHENG_SMS_ACCESS_KEY_ID = "test-id"
    settings.MINSHENG_SMS_ACCESS_KEY_SECRET = "test-secret"
    settings.MINSHENG_SMS_SIGN_NAME = "望花民生"
    settings.MINSHENG_SMS_APP_ID = "1400000001"
    settings.MINSHENG_SMS_TEMPLATES = TEMPLATES
    yield FakeProvider
    server.shutdown()
    server.server_close()


def _send(key: str = "demand.dispatched") -> OutboxMessage:
    message = enqueue(channel="sms", message=key, params=PARAMS, address="13700001234")
    delivery.deliver_batch()
    message.refresh_from_db()
    return message


@pytest.mark.django_db
def test_aliyun_gets_the_template_code_named_parameters_and_the_delivery_id(settings, provider):
    settings.MINSHENG_SMS_BACKEND = "aliyun"
    message = _send()
    assert message.status == OutboxMessage.Status.DELIVERED
    [request] = provider.requests
    assert request["action"] == "SendSms" and request["signed"]
    assert (request["PhoneNumbers"], request["SignName"], request["TemplateCode"], request["OutId"]) == (
        "13700001234", "望花民生", "SMS_480512345", str(message.delivery_id))
    assert json.loads(request["TemplateParam"]) == {k: PARAMS[k] for k in ("number", "unit", "due", "link")}


@pytest.mark.django_db
def test_tencent_gets_the_template_id_positional_parameters_and_the_delivery_id(settings, provider):
    settings.MINSHENG_SMS_BACKEND = "tencent"
    message = _send()
    assert message.status == OutboxMessage.Status.DELIVERED
    [request] = provider.requests
    assert request["action"] == "SendSms" and request["signed"]
    assert (request["PhoneNumberSet"], request["SmsSdkAppId"], request["SignName"], request["TemplateId"],
            request["SessionContext"]) == (["+8613700001234"], "1400000001", "望花民生", "SMS_480512345",
                                           str(message.delivery_id))
    # the order of the approved template's {1} {2} {3} {4}
    assert request["TemplateParamSet"] == [PARAMS["number"], PARAMS["unit"], PARAMS["due"], PARAMS["link"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("backend", "reason"), [("aliyun", "isv.BUSINESS_LIMIT_CONTROL"),
                                                  ("tencent", "FailedOperation.TemplateIncorrectOrUnapproved")])
def test_a_refusal_is_retried_with_the_providers_reason(settings, provider, backend, reason):
    settings.MINSHENG_SMS_BACKEND = backend
    provider.refuse = True
    message = _send()
    assert message.status == OutboxMessage.Status.PENDING and message.attempts == 1
    assert reason in message.last_error and len(provider.requests) == 1


@pytest.mark.django_db
def test_a_key_without_an_approved_template_is_not_sent(settings, provider):
    settings.MINSHENG_SMS_BACKEND = "aliyun"
    message = _send("demand.progress")
    assert message.status == OutboxMessage.Status.PENDING
    assert "MINSHENG_SMS_TEMPLATES" in message.last_error and provider.requests == []


def test_the_console_backend_logs_the_number_masked(caplog):
    """The demo's and development's backend writes each message to the server's log, which whoever
    runs the server reads: the number is masked there as on the staff pages."""
    from minsheng.notifications.sms import ConsoleSmsBackend, Sms

    with caplog.at_level("INFO", logger="minsheng.notifications"):
        params = {"number": "2026120600001", "link": "http://x/t"}
        ConsoleSmsBackend().send(Sms("13912345678", "demand.received", params, "d-1"))
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
    assert "d-1" in caplog.text and "2026120600001" in caplog.text
