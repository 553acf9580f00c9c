"""The second-factor page: set an authenticator up (QR code, first code, recovery codes), or give
a code after the password (the rules are in core.twofactor); the page of a PDF the worker makes
(core.documents)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.utils.http import url_has_allowed_host_and_scheme

from . import documents, twofactor
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


@login_required
def document(request: HttpRequest, result_id: str) -> HttpResponse:
    """A PDF the worker makes (core.documents): the PDF once made; until then a page that loads
    itself again every second; a failure said as such, with the way back and a new try."""
    result = documents.document_of(request.user, result_id)
    if (response := documents.made_pdf(result)) is not None:
        return response
    kwargs = result.kwargs
    back, again = (address if url_has_allowed_host_and_scheme(address, {request.get_host()}) else "/"
                   for address in (kwargs["back"], kwargs["source"]))
    context = {"filename": kwargs["filename"], "back": back, "again": again}
    if result.status == TaskResultStatus.FAILED:
        return render(request, "core/document.html", {**context, "failed": True}, status=500)
    response = render(request, "core/document.html", {**context, "waited": int(documents.waited_seconds(result)),
                                                      "running": result.status == TaskResultStatus.RUNNING})
    response["Refresh"] = "1"  # loads the page again, which sends the PDF once it is made
    response["Cache-Control"] = "no-store"
    return response
