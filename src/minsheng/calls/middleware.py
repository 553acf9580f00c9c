"""The phone system's posts go straight to their view, past the staff pages' middleware.

A busy hotline's PBX posts a few hundred call events a second to ``/api/cti/events``, each
authenticated by its token (``services.authenticate_phone_system``), never by a session.  The
middleware after this one is for people: sessions, accounts, one-time codes, idle sign-out,
sign-in lockout, messages, the replica for heavy pages, CSRF (the view is exempt) and the
headers that protect HTML pages.  None of it applies to a token-authenticated JSON post, and
walking it cost about half a millisecond of CPU per event, as much as recording the event.

Only that one path is shortcut, and only after what every request needs: the metrics and the
request id (above this one in ``MIDDLEWARE``) and ``SecurityMiddleware`` (its HTTPS redirect).
Here the request gets what the skipped middleware would have given it and it uses: the host
checked against ``ALLOWED_HOSTS`` (CommonMiddleware's ``get_host``; a bad one is Django's 400),
the language of its ``Accept-Language`` (LocaleMiddleware; Chinese by default), and its URL match
(for the metrics' view name)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, resolve, reverse
from django.utils import translation


class PhoneSystemMiddleware:
    """Answers ``POST /api/cti/events`` (and its refusals) with the view alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._path: str | None = None
        self._match: ResolverMatch | None = None

    def _route(self) -> tuple[str, ResolverMatch]:
        if self._match is None:  # the URLconf is complete only once the first request comes
            self._path = reverse("cti_events")
            self._match = resolve(self._path)
        return self._path, self._match

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path, match = self._route()
        if request.path_info != path:
            return self.get_response(request)
        request.get_host()  # DisallowedHost: Django answers 400, as for any other path
        translation.activate(translation.get_language_from_request(request))
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
