"""The CSRF failure page in the site's style (Django's own is bare English)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: the form came from no page of ours (expired, signed out elsewhere,
    cookies off).  ``reason`` is for the log, not for the visitor."""
    return render(request, "403_csrf.html", status=403)
