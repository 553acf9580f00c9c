"""WeChat web authorisation (公众号网页授权) for residents, through ``wechatpy``'s OAuth client.

On only when ``MINSHENG_WECHAT_APPID`` and ``MINSHENG_WECHAT_SECRET`` are set.  WeChat gives an
openid, never a phone: the first time, the resident proves a phone with a text-message code and
the openid is bound to that resident (``signin.bind_wechat``); afterwards the openid alone signs
in.  The ``state`` parameter carries a one-time value kept in the session, so that a callback
not started from this browser is refused."""

import secrets

from django.conf import settings
from django.utils.translation import gettext as _
from wechatpy.exceptions import WeChatOAuthException
from wechatpy.oauth import WeChatOAuth

from minsheng.core.errors import MinshengError

SESSION_STATE = "wechat_oauth_state"
SESSION_OPENID = "wechat_openid"


class WeChatUnavailable(MinshengError):
    code = "wechat_unavailable"
    status = 502


def enabled() -> bool:
    return bool(settings.MINSHENG_WECHAT_APPID and settings.MINSHENG_WECHAT_SECRET)


class WeChatSignIn:
    """The adapter: the URL that sends the browser to WeChat, and the openid WeChat's code gives."""

    def __init__(self, redirect_uri: str):
        if not enabled():
            raise WeChatUnavailable(_("未启用微信登录。"))
        scope = settings.MINSHENG_WECHAT_SCOPE if settings.MINSHENG_WECHAT_SCOPE in (
            "snsapi_base", "snsapi_userinfo") else "snsapi_base"
        self.client = WeChatOAuth(settings.MINSHENG_WECHAT_APPID, settings.MINSHENG_WECHAT_SECRET,
                                  redirect_uri, scope=scope)

    def start(self, session) -> str:
        """The authorisation URL, with a fresh state remembered in ``session``."""
        state = secrets.token_urlsafe(16)
        session[SESSION_STATE] = state
        self.client.state = state
        return self.client.authorize_url

    def openid(self, session, code: str, state: str) -> str:
        """The openid for WeChat's ``code``, once ``state`` matches the one this session sent."""
        expected = session.pop(SESSION_STATE, None)
        if not expected or not secrets.compare_digest(expected, state or "") or not code:
            raise WeChatUnavailable(_("微信授权已失效，请重新进入。"))
        try:
            result = self.client.fetch_access_token(code)
        except WeChatOAuthException as exc:
            raise WeChatUnavailable(_("微信授权失败，请稍后再试或用手机号登录。")) from exc
        except OSError as exc:  # requests' connection errors derive from it
            raise WeChatUnavailable(_("暂时无法连接微信，请稍后再试或用手机号登录。")) from exc
        openid = str(result.get("openid") or "")
        if not openid:
            raise WeChatUnavailable(_("微信授权失败，请稍后再试或用手机号登录。"))
        return openid
