"""Whether the page carries the screen pop: only for an account with a seat."""

from django.http import HttpRequest

from .selectors import seat_ids_of


def seat(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {"cti_seat": bool(user is not None and user.is_authenticated and seat_ids_of(user))}
