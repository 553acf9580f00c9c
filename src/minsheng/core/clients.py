"""Who is calling, as far as counting attempts goes: the client's network address.

Behind a reverse proxy every request comes from the proxy's address, so that one limit would be
shared by all residents.  The proxy's header is read only when ``MINSHENG_TRUSTED_PROXY_HEADER``
names it: without a proxy that sets it, any client could write the header and pick its own
address."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    header = settings.MINSHENG_TRUSTED_PROXY_HEADER
    if header:
        value = request.META.get("HTTP_" + header.upper().replace("-", "_"), "")
        # A proxy appends the address it saw (X-Forwarded-For: "client, proxy1, …"); the last entry
        # is the one our own proxy wrote, anything before it came from the client.
        entries = [e.strip() for e in value.split(",") if e.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR", "")
