"""Signing in: django-axes counts failed sign-ins per account and per client and locks either
out (settings: MINSHENG_SIGNIN_MAX_FAILURES, MINSHENG_SIGNIN_LOCK_MINUTES)."""

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


class SignInLockoutBackend(AxesStandaloneBackend):
    """Axes' check before the password is; a sign-in without a request (a management command,
    a shell) is no guess over the network and is left to the next backend."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None, password: str | None = None,
                     **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)
