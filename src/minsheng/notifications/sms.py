"""SMS adapters.  Mainland providers send only templates approved in advance, with parameters, so
an adapter gets the message's catalogue key and parameters (``catalogue.py``) and sends the
provider the key's template code (``MINSHENG_SMS_TEMPLATES``) with the parameters; the console
and locmem adapters, which send nothing, render the text instead.

``MINSHENG_SMS_BACKEND`` picks one: ``console`` (development), ``locmem`` (tests), ``aliyun``
(阿里云短信, the official ``alibabacloud-dysmsapi20170525`` SDK), ``tencent`` (腾讯云短信, the
official ``tencentcloud-sdk-python-sms`` SDK), or the dotted path of another class.  The provider
adapters take their credentials, signature and endpoint from ``MINSHENG_SMS_*`` settings; the
endpoint may point elsewhere (a proxy, the tests' local fake of each provider).
"""

import json
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from .catalogue import render, sms_parameters, sms_template_code

logger = logging.getLogger("minsheng.notifications")


class SmsError(Exception):
    """The provider refused or could not be reached; the outbox retries with back-off."""


@dataclass(frozen=True)
class Sms:
    phone: str
    key: str
    params: dict[str, Any]
    delivery_id: str

    @property
    def text(self) -> str:
        """The text as the resident reads it (the approved template filled in)."""
        return render(self.key, self.params, settings.LANGUAGE_CODE).sms


class SmsBackend(Protocol):
    def send(self, sms: Sms) -> None: ...


class ConsoleSmsBackend:
    """For development and the demo: writes the text message to the log instead of sending it.
    The number is masked as on the staff pages: logs are read by whoever runs the server, and the
    delivery id finds the message (and its number, for those who may see it) in the outbox."""

    def send(self, sms: Sms) -> None:
        from minsheng.people.validation import mask_phone

        logger.info("SMS to %s [%s] %s: %s", mask_phone(sms.phone), sms.delivery_id, sms.key, sms.text)


class LocmemSmsBackend:
    """For tests: keeps sent messages in ``LocmemSmsBackend.sent``."""

    sent: list[Sms] = []

    def send(self, sms: Sms) -> None:
        self.sent.append(sms)


def _setting(name: str) -> str:
    value = getattr(settings, name, "")
    if not value:
        raise SmsError(f"{name} is not set")
    return value


class AliyunSmsBackend:
    """阿里云短信 SendSms: named parameters (TemplateParam, JSON); the delivery id travels as OutId."""

    def __init__(self) -> None:
        from alibabacloud_dysmsapi20170525.client import Client
        from alibabacloud_tea_openapi.models import Config

        endpoint = settings.MINSHENG_SMS_ENDPOINT or "dysmsapi.aliyuncs.com"
        scheme, _sep, host = endpoint.rpartition("://")
        config = Config(access_key_id=_setting("MINSHENG_SMS_ACCESS_KEY_ID"),
                        access_key_secret=_setting("MINSHENG_SMS_ACCESS_KEY_SECRET"),
                        endpoint=host, protocol=scheme or "https", connect_timeout=5000, read_timeout=10000)
        self.client = Client(config)

    def send(self, sms: Sms) -> None:
        from alibabacloud_dysmsapi20170525.models import SendSmsRequest

        request = SendSmsRequest(phone_numbers=sms.phone, sign_name=_setting("MINSHENG_SMS_SIGN_NAME"),
                                 template_code=sms_template_code(sms.key), out_id=sms.delivery_id,
                                 template_param=json.dumps(dict(sms_parameters(sms.key, sms.params)),
                                                           ensure_ascii=False))
        try:
            body = self.client.send_sms(request).body
        except Exception as exc:  # the SDK raises its own errors for HTTP and gateway failures
            raise SmsError(f"aliyun: {exc}") from exc
        if body.code != "OK":
            raise SmsError(f"aliyun: {body.code} {body.message} (request {body.request_id})")


class TencentSmsBackend:
    """腾讯云短信 SendSms: positional parameters (TemplateParamSet); the delivery id travels as
    SessionContext, which the provider returns in its receipts."""

    def __init__(self) -> None:
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        endpoint = settings.MINSHENG_SMS_ENDPOINT or "sms.tencentcloudapi.com"
        scheme, _sep, host = endpoint.rpartition("://")
        profile = ClientProfile(httpProfile=HttpProfile(protocol=scheme or "https", endpoint=host, reqTimeout=10))
        self.client = sms_client.SmsClient(
            credential.Credential(_setting("MINSHENG_SMS_ACCESS_KEY_ID"), _setting("MINSHENG_SMS_ACCESS_KEY_SECRET")),
            settings.MINSHENG_SMS_REGION, profile)

    def send(self, sms: Sms) -> None:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import TencentCloudSDKException
        from tencentcloud.sms.v20210111 import models

        request = models.SendSmsRequest()
        request.PhoneNumberSet = [sms.phone if sms.phone.startswith("+") else f"+86{sms.phone}"]
        request.SmsSdkAppId = _setting("MINSHENG_SMS_APP_ID")
        request.SignName = _setting("MINSHENG_SMS_SIGN_NAME")
        request.TemplateId = sms_template_code(sms.key)
        request.TemplateParamSet = [value for _name, value in sms_parameters(sms.key, sms.params)]
        request.SessionContext = sms.delivery_id
        try:
            response = self.client.SendSms(request)
        except TencentCloudSDKException as exc:
            raise SmsError(f"tencent: {exc.code} {exc.message} (request {exc.requestId})") from exc
        refused = [status for status in response.SendStatusSet or [] if status.Code != "Ok"]
        if refused or not response.SendStatusSet:
            status = refused[0] if refused else None
            raise SmsError(f"tencent: {status.Code} {status.Message}" if status else "tencent: no send status")


BACKENDS = {
    "console": "minsheng.notifications.sms.ConsoleSmsBackend",
    "locmem": "minsheng.notifications.sms.LocmemSmsBackend",
    "aliyun": "minsheng.notifications.sms.AliyunSmsBackend",
    "tencent": "minsheng.notifications.sms.TencentSmsBackend",
}


def sms_backend() -> SmsBackend:
    """The configured adapter (a short name of ``BACKENDS`` or a dotted path)."""
    name = settings.MINSHENG_SMS_BACKEND
    return import_string(BACKENDS.get(name, name))()
