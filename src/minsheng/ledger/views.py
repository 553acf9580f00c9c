"""Ledger pages: the accounts and their check (staff), the love supermarket's counter (scan or type
a member card, redeem, refund), and a volunteer's own member card with its QR code."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from minsheng.core.errors import MinshengError
from minsheng.core.qr import qr_svg
from minsheng.organisation.scope import grants_with_roles
from minsheng.volunteers.models import Volunteer
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .models import Account, Item, Measure, Supermarket


def _supermarkets_of(user):
    """The supermarkets whose counter the user may work (services.check_counter's rule)."""
    paths = [g.region_path for g in grants_with_roles(user, services.COUNTER_ROLES) if g.region_path is not None]
    markets = Supermarket.objects.select_related("region").order_by("name")
    return [m for m in markets if any(m.region.path.startswith(p) for p in paths)]


@_staff_required
def accounts(request: HttpRequest) -> HttpResponse:
    check = selectors.check_ledger()
    rows = selectors.accounts_visible_to(request.user).order_by("kind", "measure", "-balance_cents")[:200]
    return render(request, "ledger/accounts.html", {"check": check, "accounts": rows})


@_staff_required
def counter(request: HttpRequest) -> HttpResponse:
    """爱心超市 counter: the card (scanned QR → ?card=…, or typed), the balance, the shelf."""
    markets = _supermarkets_of(request.user)
    if not markets:  # nothing to work yet: say so (and where to start), no 404
        return render(request, "ledger/no_market.html")
    market = next((m for m in markets if str(m.pk) == request.GET.get("market", request.POST.get("market"))),
                  markets[0])
    card = (request.GET.get("card") or request.POST.get("card") or "").strip()
    volunteer = points = error = None
    if request.method == "POST":
        try:
            if "refund" in request.POST:
                services.refund(request.user, int(request.POST["refund"]), reason=request.POST.get("reason", ""))
                messages.success(request, _("已退还积分并恢复库存。"))
            else:
                redemption = services.redeem(request.user, card_number=card, item_id=int(request.POST.get("item", 0)),
                                             quantity=int(request.POST.get("quantity") or 1))
                messages.success(request, _("兑换成功：%(item)s × %(n)d，扣减积分 %(points)s。") % {
                    "item": redemption.item.name, "n": redemption.quantity, "points": redemption.transfer.amount})
            return redirect(reverse("ledger:counter") + "?" + urlencode({"market": market.pk, "card": card}))
        except (MinshengError, ValueError) as exc:
            error = getattr(exc, "message", _("请输入正确的数量。"))
    if card:
        try:
            volunteer = services.volunteer_by_card(request.user, card, market)
            points = Account.objects.filter(volunteer=volunteer, measure=Measure.POINTS).first()
        except MinshengError as exc:
            error = error or exc.message
    return render(request, "ledger/counter.html", {
        "markets": markets, "market": market, "card": card, "volunteer": volunteer,
        "balance": points.balance if points else 0, "error": error,
        "items": Item.objects.filter(supermarket=market, active=True),
        "redemptions": selectors.redemptions_at(market),
    }, status=400 if error and request.method == "POST" else 200)


@login_required
def my_card(request: HttpRequest) -> HttpResponse:
    """A volunteer's member card: number, QR code (opens the counter with the card), balances."""
    volunteer = Volunteer.objects.select_related("resident", "region").filter(resident__user=request.user).first()
    if volunteer is None:  # an account not (yet) registered as a volunteer: say so, no 404
        return render(request, "ledger/card.html", {"volunteer": None})
    balances = {a.measure: a.balance for a in volunteer.accounts.all()}
    url = request.build_absolute_uri(reverse("ledger:counter") + "?" + urlencode({"card": volunteer.card_number}))
    return render(request, "ledger/card.html", {
        "volunteer": volunteer, "qr": qr_svg(url, title=_("爱心卡 %(number)s") % {"number": volunteer.card_number}),
        "hours": balances.get(Measure.HOURS, 0), "points": balances.get(Measure.POINTS, 0),
        "entries": [e for a in volunteer.accounts.all() for e in selectors.statement(a, 20)],
    })
