"""The second-factor page: set an authenticator up (QR code, first code, recovery codes), or give
a code after the password.  The rules are in core.twofactor."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from . import twofactor
from .errors import MinshengError
from .qr import qr_svg


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    return target if url_has_allowed_host_and_scheme(target, {request.get_host()}) else "/"


@login_required
def two_factor(request: HttpRequest) -> HttpResponse:
    setting_up = not twofactor.is_set_up(request.user)
    error, status = "", 200
    if request.method == "POST":
        try:
            if setting_up:
                codes = twofactor.confirm_setup(request, request.POST.get("token", ""))
                return render(request, "core/two_factor_codes.html", {"codes": codes, "next": _next(request)})
            twofactor.verify(request, request.POST.get("token", ""))
            return redirect(_next(request))
        except MinshengError as exc:
            error, status = exc.message, exc.status
    context = {"setting_up": setting_up, "error": error, "next": _next(request)}
    if setting_up:
        device = twofactor.pending_device(request.user)
        context.update(qr=qr_svg(device.config_url, scale=4), secret=twofactor.secret_of(device))
    return render(request, "core/two_factor.html", context, status=status)
