"""The meal pages: the staff overview (canteens with today's counts), a canteen's page (meal times,
menus, prices in force, diners with bookings, food-safety checks), the counter for a tablet, the
monthly subsidy statement per funder (Excel and PDF as home care's statements are made), and the
volunteer's deliveries for a phone.  Views parse, call a service or a selector, and render;
refusals come back on the form that was sent."""

from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.core.pdf import pdf_response
from minsheng.demands.workflow import State
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles, roles_of
from minsheng.volunteers.models import Volunteer
from minsheng.web import field
from minsheng.web.actions import perform, submit
from minsheng.web.forms import add_service_errors

from . import billing, deliveries, selectors, services
from .access import COUNTER, INSPECTORS, ISSUERS, READERS
from .forms import BookForm, CounterForm, DeliverForm, SafetyCheckForm, VoidForm
from .models import Canteen, Meal, SafetyPhoto, Sitting, Tier
from .pricing import policies_in_force

WEEKDAYS = [gettext_lazy("周一"), gettext_lazy("周二"), gettext_lazy("周三"), gettext_lazy("周四"),
            gettext_lazy("周五"), gettext_lazy("周六"), gettext_lazy("周日")]



def _month(request: HttpRequest) -> date:
    """The month asked for (YYYY-MM), by default the last whole month (the one to settle)."""
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return (clock.today().replace(day=1) - timedelta(days=1)).replace(day=1)


def _readers_only(request) -> None:
    if not roles_of(request.user) & READERS:
        raise Http404(_("没有可用的助餐页面。"))


def _canteen(request, pk: int) -> Canteen:
    canteen = selectors.canteens_for(request.user).filter(pk=pk).first()
    if canteen is None:
        raise Http404(_("助餐点不存在。"))
    return canteen


def _may(user, roles, canteen: Canteen) -> bool:
    return any(g.region_path is not None and canteen.region.path.startswith(g.region_path)
               for g in grants_with_roles(user, roles))


def _sittings(canteen: Canteen) -> list[str]:
    return list(canteen.meal_times.order_by("starts").values_list("sitting", flat=True))


def _current_sitting(canteen: Canteen) -> str | None:
    """The sitting being served now, else the next one today, else the day's last."""
    now = timezone.localtime(clock.now()).time()
    times = list(canteen.meal_times.order_by("starts"))
    for t in times:
        if now <= t.ends:
            return t.sitting
    return times[-1].sitting if times else None


# --- staff ----------------------------------------------------------------------------------

@login_required
def home(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    day = clock.today()
    return render(request, "meals/home.html", {
        "day": day, "counts": selectors.daily_counts(request.user, day),
        "deliveries": selectors.deliveries_for(request.user).filter(meal__day=day)[:50],
        "month": _month(request)})


def _canteen_context(request, canteen: Canteen, *, book_form=None, safety_form=None) -> dict:
    day = clock.today()
    diners = list(selectors.diners_for(request.user).filter(canteen=canteen, active=True).order_by("card_number"))
    may_book = _may(request.user, COUNTER, canteen)
    week = [day - timedelta(days=n) for n in range(6, -1, -1)]
    per_day = dict(canteen.meals.filter(day__in=week, status=Meal.Status.SERVED).values_list("day").annotate(
        n=Count("pk")).values_list("day", "n"))
    return {
        "canteen": canteen, "day": day, "times": canteen.meal_times.order_by("starts"),
        "menus": sorted(canteen.menus.filter(day__gte=day, day__lt=day + timedelta(days=7)),
                        key=lambda m: (m.day, Sitting.values.index(m.sitting))),
        "policies": policies_in_force(canteen, day), "diners": diners,
        "week": [(d, per_day.get(d, 0)) for d in week],
        "book_form": book_form or (BookForm(diners=diners, sittings=_sittings(canteen),
                                            initial={"day": day, "sitting": _current_sitting(canteen)})
                                   if may_book else None),
        "booked": canteen.meals.filter(status=Meal.Status.BOOKED, day__gte=day).select_related(
            "diner__resident").order_by("day", "sitting")[:50],
        "safety_form": safety_form or (SafetyCheckForm(initial={"on": day, "passed": True})
                                       if _may(request.user, INSPECTORS, canteen) else None),
        "checks": selectors.safety_checks_for(request.user).filter(canteen=canteen)[:10],
        "open_days": [WEEKDAYS[int(n) - 1] for n in canteen.open_weekdays if n in "1234567"],
        "may_count": may_book, "may_issue": _may(request.user, ISSUERS, canteen), "month": _month(request),
    }


@login_required
def canteen_page(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = _canteen(request, pk)
    return render(request, "meals/canteen.html", _canteen_context(request, canteen))


@login_required
@require_POST
def book(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = _canteen(request, pk)
    diners = list(selectors.diners_for(request.user).filter(canteen=canteen, active=True))
    form = BookForm(request.POST, diners=diners, sittings=_sittings(canteen))
    if form.is_valid():
        data = form.cleaned_data
        try:
            meal = services.book_meal(request.user, int(data["diner"]), day=data["day"], sitting=data["sitting"],
                                      channel=data["channel"], deliver=data["deliver"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已为 %(name)s 预订 %(day)s %(sitting)s%(how)s。") % {
                "name": meal.diner.resident.name, "day": meal.day, "sitting": meal.get_sitting_display(),
                "how": _("，送餐任务已发布") if data["deliver"] else ""})
            return redirect("meals:canteen", pk=canteen.pk)
    return render(request, "meals/canteen.html", _canteen_context(request, canteen, book_form=form), status=400)


@login_required
@require_POST
def safety_check(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = _canteen(request, pk)
    form = SafetyCheckForm(request.POST, request.FILES)
    sent = submit(request, form, lambda data: services.record_safety_check(
        request.user, canteen, on=data["on"], passed=data["passed"], note=data["note"], photos=data["photos"]),
        _("食品安全检查已登记。"))
    if sent.ok:
        return redirect(reverse("meals:canteen", args=[canteen.pk]) + "#safety")
    return render(request, "meals/canteen.html", _canteen_context(request, canteen, safety_form=form), status=400)


@login_required
def safety_photo(request: HttpRequest, pk: int) -> FileResponse:
    item = SafetyPhoto.objects.filter(pk=pk, safety_check__in=selectors.safety_checks_for(request.user)).first()
    if item is None:
        raise Http404(_("照片不存在。"))
    return FileResponse(item.file.open("rb"))


# --- the counter (a tablet at the canteen's window) ------------------------------------------

def _counter_context(request, canteen: Canteen, form=None, void_form=None) -> dict:
    day = clock.today()
    today_meals = canteen.meals.filter(day=day).exclude(status=Meal.Status.VOID)
    counts = today_meals.aggregate(served=Count("pk", filter=Q(status=Meal.Status.SERVED)),
                                   booked=Count("pk", filter=Q(status=Meal.Status.BOOKED)))
    by_sitting = dict(today_meals.filter(status=Meal.Status.SERVED).values_list("sitting").annotate(
        n=Count("pk")).values_list("sitting", "n"))
    sittings = _sittings(canteen)
    return {
        "canteen": canteen, "day": day, "open": canteen.opens_on(day),
        "form": form or CounterForm(sittings=sittings, initial={"sitting": _current_sitting(canteen),
                                                               "code": request.GET.get("card", "")}),
        "counts": counts, "by_sitting": [(Sitting(s).label, by_sitting.get(s, 0)) for s in sittings],
        "recent": today_meals.select_related("diner__resident").order_by("-recorded_at")[:12],
        "void_form": void_form or VoidForm(), "menus": canteen.menus.filter(day=day),
        "last": Meal.objects.select_related("diner__resident").filter(
            pk=request.session.get("meals_last"), canteen=canteen).first(),
    }


@login_required
def counter(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = _canteen(request, pk)
    if not _may(request.user, COUNTER, canteen):
        raise Http404(_("你不能操作这个助餐点的窗口。"))
    if request.method != "POST":
        return render(request, "meals/counter.html", _counter_context(request, canteen))
    form = CounterForm(request.POST, sittings=_sittings(canteen))
    if form.is_valid():
        try:
            meal = services.take_meal(request.user, canteen, code=form.cleaned_data["code"],
                                      sitting=form.cleaned_data["sitting"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            request.session["meals_last"] = meal.pk
            messages.success(request, _("%(name)s %(sitting)s已登记：个人支付 %(elder)s 元。") % {
                "name": meal.diner.resident.name, "sitting": meal.get_sitting_display(), "elder": meal.elder})
            return redirect("meals:counter", pk=canteen.pk)
    return render(request, "meals/counter.html", _counter_context(request, canteen, form=form), status=400)


@login_required
@require_POST
def void(request: HttpRequest, pk: int) -> HttpResponse:
    meal = selectors.meals_for(request.user).select_related("canteen").filter(pk=pk).first()
    if meal is None:
        raise Http404(_("用餐记录不存在。"))
    form = VoidForm(request.POST)
    if form.is_valid():
        perform(request, lambda: services.void_meal(request.user, meal.pk, reason=form.cleaned_data["reason"]),
                _("用餐记录已作废。"))
    else:
        messages.error(request, _("请填写作废原因。"))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/meals/") else reverse("meals:counter", args=[meal.canteen_id]))


# --- the monthly subsidy statement -----------------------------------------------------------

def _statement_of(request, pk: int) -> tuple:
    """The canteen, month and funder a statement is asked for."""
    funder = request.GET.get("funder", "government")
    return _canteen(request, pk), _month(request), funder if funder in billing.FUNDERS else "government"


def _statement_context(request, pk: int) -> dict:
    canteen, month, funder = _statement_of(request, pk)
    lines = billing.statement_lines(canteen.pk, month, funder)
    behind = defaultdict(list)  # the meals behind each line: diner → [(day, sitting)]
    for diner_id, day, sitting, tier in billing.served_meals(canteen.pk, month).order_by("day", "sitting").values_list(
            "diner_id", "day", "sitting", "tier"):
        behind[(diner_id, tier)].append(f"{day:%d}{Sitting(sitting).label[:1]}")
    for line in lines:
        line.days = " ".join(behind[(line.diner_id, line.tier)])
        line.tier_label = Tier(line.tier).label
    return {"canteen": canteen, "month": month, "funder": funder, "funder_label": billing.FUNDERS[funder],
            "funders": billing.FUNDERS.items(), "lines": lines, "totals": billing.totals(canteen.pk, month),
            "issued": canteen.statements.filter(month=month).first(),
            "may_issue": _may(request.user, ISSUERS, canteen),
            "funder_total": sum((line.amount for line in lines), billing.ZERO)}


@login_required
def statement(request: HttpRequest, pk: int) -> HttpResponse:
    fmt = request.GET.get("format")
    canteen, month, funder = _statement_of(request, pk)
    name = f"meals-{canteen.code}-{month:%Y-%m}-{funder}"
    if fmt == "xlsx":
        # The meals themselves: none of the page's lines and totals, which the export does not hold.
        headers = [_("助餐卡号"), _("姓名"), _("价格档"), _("日期"), _("餐次"), _("方式"), _("每餐成本（元）"),
                   str(billing.FUNDERS[funder]) + _("（元）")]
        # Plain values and each label translated once: a model and three get_…_display() calls per
        # meal were half the export's time on a month of a canteen (a thousand meals).
        labels = [{value: str(label) for value, label in choices}
                  for choices in (Tier.choices, Sitting.choices, Meal.Way.choices)]
        meals = billing.served_meals(canteen.pk, month).order_by("diner__card_number", "day", "sitting").values_list(
            "diner__card_number", "diner__resident__name", "tier", "day", "sitting", "way", "price",
            billing.funder_field(funder))
        rows = ((card, name, labels[0].get(tier, tier), day, labels[1].get(sitting, sitting),
                 labels[2].get(way, way), price, paid) for card, name, tier, day, sitting, way, price, paid
                in meals.iterator())
        return xlsx_response(f"{name}.xlsx", headers, rows, sheet_title=_("助餐补贴明细"))
    context = _statement_context(request, pk)
    if fmt == "pdf":
        return pdf_response(request, "meals/statement_print.html", context, f"{name}.pdf")
    return render(request, "meals/statement.html", context)


@login_required
@require_POST
def issue(request: HttpRequest, pk: int) -> HttpResponse:
    canteen = _canteen(request, pk)
    perform(request, lambda: billing.issue_statement(request.user, canteen, _month(request)), _("补贴结算单已出具。"))
    return redirect(f"{reverse('meals:statement', args=[canteen.pk])}?month={_month(request):%Y-%m}")


# --- the volunteer's deliveries (a phone) -----------------------------------------------------

@login_required
def deliveries_page(request: HttpRequest) -> HttpResponse:
    if Role.VOLUNTEER not in roles_of(request.user):
        raise Http404(_("只有志愿者可以认领送餐。"))
    # What the volunteer carries now comes first, then what waits for someone, then the record of
    # what was delivered (folded: after a month it is dozens of cards, and the meals waiting to be
    # claimed used to sit below all of them).
    holding = list(selectors.my_deliveries(request.user).filter(delivered_at__isnull=True,
                                                                demand__state=State.IN_PROGRESS))
    for d in holding:
        d.form = DeliverForm(initial={"version": d.demand.version})
    done = list(selectors.my_deliveries(request.user).exclude(pk__in=[d.pk for d in holding])[:30])
    registered = Volunteer.objects.filter(resident__user=request.user, active=True).exists()
    return render(request, "meals/deliveries.html", {
        "claimable": selectors.claimable_deliveries(request.user)[:30] if registered else [], "holding": holding,
        "done": done, "today": clock.today(), "registered": registered})


@login_required
@require_POST
@field.replays
def delivery_action(request: HttpRequest, demand_id: int, action: str) -> HttpResponse:
    """Claim, deliver or release a delivery.  Confirming a delivery is the one the volunteer does
    at the elder's door, often without signal: the phone queues it (``data-queue``) and sends it
    when the connection returns, once, by its idempotency key."""
    form = DeliverForm(request.POST)
    if not form.is_valid():
        if field.is_queued(request):
            return field.form_refused(form)
        messages.error(request, _("请刷新页面后重试。"))
        return redirect("meals:deliveries")
    version = form.cleaned_data["version"]
    take = {"claim": lambda: deliveries.claim_delivery(request.user, demand_id, version),
            "deliver": lambda: deliveries.deliver(request.user, demand_id, version, note=form.cleaned_data["note"]),
            "release": lambda: deliveries.release_delivery(request.user, demand_id, version,
                                                           reason=form.cleaned_data["note"] or _("临时有事，无法送达"))}
    if action not in take:
        raise Http404(_("没有这个操作。"))
    done = {"claim": _("已认领，请按时送达。"), "deliver": _("已确认送达，服务时长已记入你的账户。"),
            "release": _("已退回，等待其他志愿者认领。")}
    if field.is_queued(request):
        def queued() -> dict:
            take[action]()
            return {"message": str(done[action])}
        return field.replayable(request, queued, flash=True)
    perform(request, take[action], done[action])
    return redirect("meals:deliveries")


