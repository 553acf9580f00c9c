"""Whether the page carries the screen pop (only for an account with a seat), and the token its
poll shows (calls.poll)."""

from django.http import HttpRequest

from .poll import issue_token
from .selectors import seat_ids_of


def seat(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not seat_ids_of(user):
        return {"cti_seat": False}
    return {"cti_seat": True, "cti_poll_token": issue_token(request)}
