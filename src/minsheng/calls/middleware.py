"""The phone system's posts and the workbench's poll go straight to their views, past the staff
pages' middleware.

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
(for the metrics' view name).

The workbench's poll (``/work/calls/live/``, every 750 ms from every open workbench of an account
with a seat) is shortcut the same way: ``calls.poll`` checks the session itself, without writing
it (a poll is not activity for the idle sign-out), and its answer has no text to translate."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import ResolverMatch, resolve, reverse
from django.utils import translation


class PhoneSystemMiddleware:
    """Answers ``POST /api/cti/events`` (and its refusals) and the workbench's poll with their views alone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self._routes: dict[str, ResolverMatch] | None = None

    def _route(self, path: str) -> ResolverMatch | None:
        if self._routes is None:  # the URLconf is complete only once the first request comes
            self._routes = {p: resolve(p) for p in (reverse("cti_events"), reverse("calls:live"))}
        return self._routes.get(path)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        match = self._route(request.path_info)
        if match is None:
            return self.get_response(request)
        request.get_host()  # DisallowedHost: Django answers 400, as for any other path
        if match.url_name == "cti_events":
            translation.activate(translation.get_language_from_request(request))
        request.resolver_match = match
        return match.func(request, *match.args, **match.kwargs)
