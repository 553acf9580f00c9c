"""The aid pages (office width): the overview (figures per period, per giver, the campaigns),
a campaign's page (its totals, stock received vs given, gifts, and the forms to record gifts and
donations), the per-recipient list (who received what, how often, from how many givers), one
recipient's page with the logged reveal of phone and ID number, and Excel/PDF exports of the
campaign and of the recipients.  Views parse, call a service or a selector, and render."""

from datetime import date

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from minsheng.core import clock
from minsheng.core.errors import MinshengError
from minsheng.core.exports import xlsx_response
from minsheng.core.keys import MAX_KEY
from minsheng.core.pdf import pdf_response
from minsheng.organisation.models import Region, Unit
from minsheng.organisation.scope import grants_with_roles, roles_of
from minsheng.party.models import PartyOrganisation
from minsheng.people.models import Resident
from minsheng.people.services import may_see_personal_data, reveal_personal_data
from minsheng.people.validation import mask_name
from minsheng.volunteers.models import Activity
from minsheng.web.forms import add_service_errors
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .access import ORGANISERS, READERS, RECORDERS, sees_personal_data
from .forms import ITEMS, CampaignForm, DonationForm, GiftForm, GiverForm, PeriodForm, VoidForm
from .models import Campaign, Gift, Kind, Status
from .stock import ZERO

PAGE = 50



def _readers_only(request: HttpRequest) -> None:
    if not roles_of(request.user) & READERS:
        raise Http404(_("没有可用的慰问帮扶页面。"))


def _may(user, roles, region: Region) -> bool:
    return any(g.region_path is not None and region.path.startswith(g.region_path)
               for g in grants_with_roles(user, roles))


def _organiser_regions(user):
    """Streets and communities where the user organises (for new campaigns and givers)."""
    q = None
    for g in grants_with_roles(user, ORGANISERS):
        if g.region_path is not None:
            part = Region.objects.filter(path__startswith=g.region_path)
            q = part if q is None else q | part
    if q is None:
        return Region.objects.none()
    return q.filter(kind__in=[Region.Kind.STREET, Region.Kind.COMMUNITY]).order_by("path")


def _masked(gifts, user) -> list[Gift]:
    """Rows for a list: a sensitive gift's recipient and item are masked for a viewer whose role
    may not see personal data."""
    unmasked = sees_personal_data(user)
    rows = list(gifts)
    for gift in rows:
        hide = gift.sensitive and not unmasked
        gift.hidden = hide
        gift.shown_name = mask_name(gift.recipient.name) if hide else gift.recipient.name
        gift.shown_item = _("（敏感，已隐藏）") if hide else f"{gift.item} {_plain(gift.quantity)}{gift.unit}"
    return rows


def _plain(value) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# --- the overview ---------------------------------------------------------------------------

def _home_forms(request, campaign_form=None, giver_form=None) -> dict:
    if not grants_with_roles(request.user, ORGANISERS):
        return {}
    regions = list(_organiser_regions(request.user))
    paths = [r.path for r in regions]
    units = [u for u in Unit.objects.filter(active=True, region__in=regions).order_by("path")] if regions else []
    organisations = [o for o in PartyOrganisation.objects.select_related("region").order_by("path")
                     if any(o.region.path.startswith(p) for p in paths)]
    return {"campaign_form": campaign_form or CampaignForm(regions=regions, initial={"starts_on": clock.today()}),
            "giver_form": giver_form or GiverForm(regions=regions, units=units, organisations=organisations)}


def _home_context(request) -> dict:
    gifts = selectors.active_gifts_for(request.user)
    year_start = clock.today().replace(month=1, day=1)
    campaigns = list(selectors.campaigns_for(request.user)[:30])
    for c in campaigns:
        c.totals = selectors.campaign_totals(c)
    return {"today": clock.today(), "year": selectors.totals(gifts.filter(given_on__gte=year_start)),
            "all": selectors.totals(gifts), "months": selectors.per_month(gifts)[:12],
            "givers": selectors.per_giver(gifts)[:20], "campaigns": campaigns,
            "giver_list": selectors.givers_for(request.user).order_by("kind", "name")[:50],
            **_home_forms(request)}


@_staff_required
def home(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    return render(request, "aid/home.html", _home_context(request))


@_staff_required
@require_POST
def new_campaign(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    regions = list(_organiser_regions(request.user))
    form = CampaignForm(request.POST, regions=regions)
    if form.is_valid():
        data = form.cleaned_data
        try:
            campaign = services.create_campaign(
                request.user, name=data["name"], region=Region.objects.get(pk=data["region"]),
                starts_on=data["starts_on"], ends_on=data["ends_on"], budget=data["budget"],
                description=data["description"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已建立慰问活动“%(name)s”。") % {"name": campaign.name})
            return redirect("aid:campaign", pk=campaign.pk)
    context = {**_home_context(request), **_home_forms(request, campaign_form=form)}
    return render(request, "aid/home.html", context, status=400)


@_staff_required
@require_POST
def new_giver(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    base = _home_forms(request)
    if not base:
        raise Http404(_("你的角色不能登记慰问/捐赠方。"))
    template = base["giver_form"]
    form = GiverForm(request.POST, regions=[], units=[], organisations=[])
    for name in ("region", "unit", "party_organisation"):
        form.fields[name].choices = template.fields[name].choices
    if form.is_valid():
        data = form.cleaned_data
        try:
            giver = services.register_giver(
                request.user, kind=data["kind"], name=data["name"], region=Region.objects.get(pk=data["region"]),
                unit=Unit.objects.filter(pk=data["unit"] or None).first(),
                party_organisation=PartyOrganisation.objects.filter(pk=data["party_organisation"] or None).first(),
                contact_name=data["contact_name"], contact_phone=data["contact_phone"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记慰问/捐赠方“%(name)s”。") % {"name": giver.name})
            return redirect(reverse("aid:home") + "#givers")
    context = {**_home_context(request), **_home_forms(request, giver_form=form)}
    return render(request, "aid/home.html", context, status=400)


# --- a campaign -----------------------------------------------------------------------------

def _campaign(request, pk: int) -> Campaign:
    campaign = selectors.campaigns_for(request.user).filter(pk=pk).first()
    if campaign is None:
        raise Http404(_("慰问活动不存在。"))
    return campaign


def _gift_form(request, campaign: Campaign, query: str, data=None, files=None) -> GiftForm | None:
    if not _may_record(request.user, campaign):
        return None
    try:
        candidates = selectors.recipient_candidates(request.user, campaign, query)
    except MinshengError:
        candidates = []
    if data is not None and data.get("recipient"):
        chosen = selectors.recipients_in_reach(request.user, campaign).filter(pk=data.get("recipient")).first()
        if chosen is not None and chosen not in candidates:
            chosen.label = _("%(name)s（%(note)s）") % {
                "name": chosen.name, "note": chosen.masked_phone + _("，") + chosen.region.name}
            candidates.append(chosen)
    givers = selectors.givers_for(request.user).filter(active=True).order_by("kind", "name")
    above = [int(p) for p in campaign.region.path.split(".") if p]
    activities = (Activity.objects.filter(Q(region__path__startswith=campaign.region.path) | Q(region_id__in=above))
                  .filter(starts_at__date__gte=campaign.starts_on, starts_at__lte=clock.now())
                  .exclude(state=Activity.State.CANCELLED).order_by("-starts_at")[:30])
    return GiftForm(data, files, candidates=candidates, givers=givers, activities=activities,
                    initial={"given_on": min(clock.today(), campaign.ends_on or clock.today()), "kind": Kind.GOODS})


def _may_record(user, campaign: Campaign) -> bool:
    """Recorders of the campaign's region or of a part of it (a community inside a street's campaign)."""
    return any(g.region_path is not None and (campaign.region.path.startswith(g.region_path)
                                              or g.region_path.startswith(campaign.region.path))
               for g in grants_with_roles(user, RECORDERS))


def _campaign_context(request, campaign: Campaign, *, gift_form=None, donation_form=None) -> dict:
    query = request.GET.get("q", "").strip()
    search_error = ""
    if query:
        try:
            selectors.recipient_candidates(request.user, campaign, query)
        except MinshengError as exc:
            search_error = exc.message
    gifts = (selectors.gifts_for(request.user).filter(campaign=campaign)
             .select_related("recipient", "giver", "care_visit", "activity").order_by("-given_on", "-pk"))
    page = Paginator(gifts, PAGE).get_page(request.GET.get("page"))
    may_organise = _may(request.user, ORGANISERS, campaign.region)
    area_gifts = selectors.active_gifts_for(request.user).filter(campaign=campaign)
    return {
        "campaign": campaign, "totals": selectors.campaign_totals(campaign), "page": page,
        "gifts": _masked(page.object_list, request.user), "area": selectors.totals(area_gifts),
        "givers": selectors.per_giver(area_gifts),
        "donations": selectors.donations_for(request.user).filter(campaign=campaign).select_related("donor"),
        "gift_form": gift_form or _gift_form(request, campaign, query),
        "donation_form": donation_form or (DonationForm(givers=selectors.givers_for(request.user).filter(active=True),
                                                        initial={"received_on": clock.today(), "kind": Kind.GOODS})
                                           if may_organise else None),
        "query": query, "search_error": search_error, "items": ITEMS, "may_organise": may_organise,
        "void_form": VoidForm(), "whole": campaign.region.path.startswith(_territory_prefix(request.user)),
    }


def _territory_prefix(user) -> str:
    paths = [g.region_path for g in grants_with_roles(user, READERS) if g.region_path is not None]
    return min(paths, key=len) if paths else "\x00"


@_staff_required
def campaign_page(request: HttpRequest, pk: int) -> HttpResponse:
    _readers_only(request)
    campaign = _campaign(request, pk)
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "pdf"):
        return _campaign_export(request, campaign, fmt)
    return render(request, "aid/campaign.html", _campaign_context(request, campaign))


def _export_rows(gifts, user):
    for g in _masked(gifts, user):
        yield (g.given_on, g.shown_name, g.recipient.masked_phone, g.region.name, g.giver.name, g.get_kind_display(),
               g.shown_item, g.value, g.campaign.name if g.campaign else "", _("敏感") if g.sensitive else "")


EXPORT_HEADERS = [gettext_lazy("慰问日期"), gettext_lazy("受助人"), gettext_lazy("联系电话"), gettext_lazy("所在区域"),
                  gettext_lazy("慰问方"), gettext_lazy("类别"), gettext_lazy("物品/数量"), gettext_lazy("价值（元）"),
                  gettext_lazy("慰问活动"), gettext_lazy("敏感")]


def _campaign_export(request, campaign: Campaign, fmt: str) -> HttpResponse | FileResponse:
    gifts = (selectors.active_gifts_for(request.user).filter(campaign=campaign)
             .select_related("recipient", "giver", "region", "campaign").order_by("given_on", "pk"))
    area = selectors.totals(gifts)
    name = f"aid-campaign-{campaign.pk}-{clock.today():%Y%m%d}"
    if fmt == "xlsx":
        rows = list(_export_rows(gifts, request.user))
        rows.append((None, _("合计"), "", "", "", "", _("%(n)d 件，%(p)d 人") % {
            "n": area["gifts"], "p": area["recipients"]}, area["value"], "", ""))
        return xlsx_response(f"{name}.xlsx", [str(h) for h in EXPORT_HEADERS], rows, sheet_title=_("慰问明细"))
    context = {"campaign": campaign, "totals": selectors.campaign_totals(campaign), "area": area,
               "givers": selectors.per_giver(gifts), "gifts": _masked(gifts, request.user), "today": clock.today(),
               "whole": campaign.region.path.startswith(_territory_prefix(request.user))}
    return pdf_response(request, "aid/campaign_print.html", context, f"{name}.pdf")


@_staff_required
@require_POST
def record_gift(request: HttpRequest, pk: int) -> HttpResponse:
    _readers_only(request)
    campaign = _campaign(request, pk)
    form = _gift_form(request, campaign, request.GET.get("q", ""), request.POST, request.FILES)
    if form is None:
        raise Http404(_("你不能在这个慰问活动中登记。"))
    if form.is_valid():
        data = form.cleaned_data
        try:
            recipient = selectors.recipients_in_reach(request.user, campaign).filter(pk=data["recipient"]).first()
            if recipient is None:
                raise MinshengError(_("请选择受助人。"), field_errors={"recipient": [_("请选择受助人。")]})
            giver = selectors.givers_for(request.user).get(pk=data["giver"])
            activity = Activity.objects.filter(pk=data["activity"] or None).first()
            visit = _visit_on(recipient, data["given_on"])
            gift = services.record_gift(
                request.user, giver=giver, recipient=recipient, given_on=data["given_on"], kind=data["kind"],
                item=data["item"], unit=data["unit"], quantity=data["quantity"], value=data["value"],
                campaign=campaign, care_visit=visit, activity=activity, photo=data["photo"],
                health_related=data["health_related"], note=data["note"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记：%(name)s %(item)s，价值 %(value)s 元。") % {
                "name": gift.recipient.name, "item": gift.item, "value": gift.value})
            return redirect(reverse("aid:campaign", args=[campaign.pk]) + "#record")
    context = _campaign_context(request, campaign, gift_form=form)
    return render(request, "aid/campaign.html", context, status=400)


def _visit_on(recipient: Resident, day: date):
    """The care visit to the recipient on the day of the gift, when one was recorded: the gift
    was given on it."""
    from minsheng.care.models import CareVisit

    return CareVisit.objects.filter(person__resident=recipient, visited_on=day).order_by("-pk").first()


@_staff_required
@require_POST
def record_donation(request: HttpRequest, pk: int) -> HttpResponse:
    _readers_only(request)
    campaign = _campaign(request, pk)
    givers = selectors.givers_for(request.user).filter(active=True)
    form = DonationForm(request.POST, givers=givers)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_donation(request.user, donor=givers.get(pk=data["donor"]), campaign=campaign,
                                     received_on=data["received_on"], kind=data["kind"], item=data["item"],
                                     unit=data["unit"], quantity=data["quantity"], value=data["value"],
                                     note=data["note"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已登记接收的捐赠。"))
            return redirect(reverse("aid:campaign", args=[campaign.pk]) + "#stock")
    context = _campaign_context(request, campaign, donation_form=form)
    return render(request, "aid/campaign.html", context, status=400)


@_staff_required
@require_POST
def void(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    _readers_only(request)
    form = VoidForm(request.POST)
    if kind == "gift":
        row = selectors.gifts_for(request.user).filter(pk=pk).first()
        action = services.void_gift
    elif kind == "donation":
        row = selectors.donations_for(request.user).filter(pk=pk).first()
        action = services.void_donation
    else:
        raise Http404(_("没有这个操作。"))
    if row is None:
        raise Http404(_("记录不存在。"))
    try:
        if not form.is_valid():
            raise MinshengError(_("请填写作废原因。"))
        action(request.user, row.pk, reason=form.cleaned_data["reason"])
    except MinshengError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已作废。"))
    if row.campaign_id:
        return redirect(reverse("aid:campaign", args=[row.campaign_id]) + ("#gifts" if kind == "gift" else "#stock"))
    return redirect("aid:home")


@_staff_required
def gift_photo(request: HttpRequest, pk: int) -> FileResponse:
    gift = selectors.gifts_for(request.user).filter(pk=pk).exclude(photo="").first()
    if gift is None or (gift.sensitive and not sees_personal_data(request.user)):
        raise Http404(_("照片不存在。"))
    return FileResponse(gift.photo.open("rb"))


# --- recipients -----------------------------------------------------------------------------

def _recipients(request) -> tuple[PeriodForm, list, dict, str]:
    campaigns = list(selectors.campaigns_for(request.user))
    form = PeriodForm(request.GET or None, campaigns=campaigns)
    gifts = selectors.active_gifts_for(request.user)
    error = ""
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        gifts = selectors.in_period(gifts, data["start"], data["end"])
        if data["campaign"]:
            gifts = gifts.filter(campaign_id=data["campaign"])
        try:
            gifts = selectors.search_gifts(request.user, gifts, data["q"])
        except MinshengError as exc:
            error, gifts = exc.message, gifts.none()
    elif form.is_bound:
        gifts = gifts.none()
    return form, selectors.per_recipient(request.user, gifts), selectors.totals(gifts), error


@_staff_required
def recipients(request: HttpRequest) -> HttpResponse:
    _readers_only(request)
    form, rows, totals, error = _recipients(request)
    fmt = request.GET.get("format")
    if fmt == "xlsx" and not error:
        headers = [_("受助人"), _("联系电话"), _("所在区域"), _("次数"), _("价值（元）"), _("慰问方数"),
                   _("慰问活动数"), _("首次"), _("最近"), _("多方慰问")]
        data = [(r.name, r.masked_phone, r.region, r.gifts, r.value, r.givers, r.campaigns, r.first, r.last,
                 _("是") if r.repeated else "") for r in rows]
        data.append((_("合计"), "", _("%(n)d 人") % {"n": totals["recipients"]}, totals["gifts"], totals["value"],
                     "", "", None, None, ""))
        return xlsx_response(f"aid-recipients-{clock.today():%Y%m%d}.xlsx", headers, data, sheet_title=_("受助人汇总"))
    if fmt == "pdf" and not error:
        return pdf_response(request, "aid/recipients_print.html", {"rows": rows, "totals": totals, "form": form,
                                                                   "today": clock.today()},
                            f"aid-recipients-{clock.today():%Y%m%d}.pdf")
    page = Paginator(rows, PAGE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(request, "aid/recipients.html", {
        "form": form, "page": page, "totals": totals, "error": error, "params": params.urlencode(),
        "repeated": sum(1 for r in rows if r.repeated)}, status=400 if error else 200)


def _recipient(request, resident_id: int) -> tuple[Resident, list[Gift]]:
    if resident_id > MAX_KEY:  # a key no row can have (the database would overflow comparing it)
        raise Http404(_("没有该居民的慰问记录。"))
    gifts = list(selectors.gifts_for(request.user).filter(recipient_id=resident_id)
                 .select_related("recipient__region", "giver", "campaign", "care_visit", "activity", "region")
                 .order_by("-given_on", "-pk"))
    if not gifts:
        raise Http404(_("没有该居民的慰问记录。"))
    return gifts[0].recipient, gifts


@_staff_required
def recipient(request: HttpRequest, resident_id: int) -> HttpResponse:
    _readers_only(request)
    resident, gifts = _recipient(request, resident_id)
    revealed = None
    if request.method == "POST":
        try:
            revealed = reveal_personal_data(request.user, resident, purpose=_("慰问帮扶核对受助人"))
        except MinshengError as exc:
            messages.error(request, exc.message)
    sensitive = any(g.sensitive and g.status == Status.ACTIVE for g in gifts)
    hide_name = sensitive and not sees_personal_data(request.user)
    active = [g for g in gifts if g.status == Status.ACTIVE]
    return render(request, "aid/recipient.html", {
        "resident": resident, "gifts": _masked(gifts, request.user), "revealed": revealed,
        "name": mask_name(resident.name) if hide_name else resident.name,
        "may_reveal": may_see_personal_data(request.user), "sensitive": sensitive,
        "total": sum((g.value for g in active), ZERO), "count": len(active),
        "givers": len({g.giver_id for g in active}),
        "activities": resident.activities_benefited.order_by("-starts_at")[:10],
    })

