"""The one shape of a staff action: a posted form or button → a service → a message and a redirect,
or the refusal shown where the user acted.

Views across the apps (home care, projects, grids, stations, meals, calls, …) all do this; they call
these two functions instead of each repeating the try / except / message dance, so that a refusal
reads and answers the same way everywhere.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from minsheng.core.errors import MinshengError

from .forms import add_service_errors

Done = str | Callable[[Any], str]


def refusal_status(exc: MinshengError) -> int:
    """The HTTP status of a page shown again after a refusal: the role or the territory is a 403,
    a missing record a 404, the state a 409; anything else is bad input."""
    return exc.status if exc.status in (403, 404, 409) else 400


def _say_done(request: HttpRequest, done: Done, result: Any) -> None:
    messages.success(request, done(result) if callable(done) else done)


def perform(request: HttpRequest, action: Callable[[], Any], done: Done) -> bool:
    """Run a button's service call. Success queues ``done`` (or ``done(result)``) as a message; a
    refusal queues its message as an error. Returns whether the service took it, so that the view
    can choose where to go next."""
    try:
        result = action()
    except MinshengError as exc:
        messages.error(request, exc.message)
        return False
    _say_done(request, done, result)
    return True


@dataclass(frozen=True)
class Submission:
    """What became of a submitted form: ``ok`` with the service's ``result``; otherwise the form
    now carries the errors and ``status`` is what to answer with when showing it again (200 when
    nothing was posted)."""

    ok: bool
    result: Any = None
    status: int = 200


def submit(request: HttpRequest, form: forms.Form, action: Callable[[dict], Any], done: Done) -> Submission:
    """Validate ``form`` if it was posted, hand its cleaned data to ``action`` (the service call)
    and queue ``done`` on success. A service's refusal lands on the form under the field it names,
    so the user sees it where they typed and loses nothing they entered."""
    if request.method != "POST":
        return Submission(False)
    if not form.is_valid():
        return Submission(False, status=400)
    try:
        result = action(form.cleaned_data)
    except MinshengError as exc:
        add_service_errors(form, exc)
        return Submission(False, status=refusal_status(exc))
    _say_done(request, done, result)
    return Submission(True, result)
