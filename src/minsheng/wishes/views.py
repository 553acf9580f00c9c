"""Pages of the wish loop: the public wall, a volunteer's claim page and own claims, and the staff
list, registration form and quota boards.  Each action itself is the engine's: staff take the wish
actions on the demand page (web), residents confirm on the tracking page (web.public)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from minsheng.core import clock, dates
from minsheng.core.errors import MinshengError
from minsheng.demands import services as engine
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel, State
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import roles_of
from minsheng.party import selectors as party_selectors
from minsheng.people.models import Resident
from minsheng.web import field
from minsheng.web.actions import submit
from minsheng.web.forms import add_service_errors
from minsheng.web.pagination import page_of
from minsheng.web.views.staff import _staff_required

from . import selectors, services
from .forms import ClaimForm, FulfilForm, ResidentWishForm, WallFilterForm, WishIntakeForm
from .models import WishClaim

QUOTA_PAGE_SIZE = 50  # rows of a quota board shown at a time


def wall(request: HttpRequest) -> HttpResponse:
    """心愿墙: published wishes of a community or a street; wishers' identity hidden by default."""
    form = WallFilterForm(request.GET or None)
    region = None
    if form.is_valid() and form.cleaned_data["region"]:
        region = Region.objects.filter(code=form.cleaned_data["region"]).first()
    page = Paginator(selectors.wall(region), 24).get_page(request.GET.get("page"))
    return render(request, "wishes/wall.html", {
        "form": form, "region": region, "page": page,
        "params": f"region={region.code}" if region else "",
        "may_claim": Role.VOLUNTEER in roles_of(request.user) if request.user.is_authenticated else False,
        "may_wish": _is_resident(request.user),
    })


def _wall_wish(pk: int) -> Demand:
    """A wish on the wall; any other (registered, claimed, deferred, closed…) is not public."""
    return get_object_or_404(selectors.wall().select_related("region", "reporter"), pk=pk)


@login_required
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """A volunteer or a party member claims a wish for themselves with a promised date."""
    wish = _wall_wish(pk)
    form = ClaimForm(request.POST or None, initial={"version": wish.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.claim_wish(request.user, wish.pk, form.cleaned_data["version"],
                                promised_by=form.cleaned_data["promised_by"])
        except MinshengError as exc:
            if not selectors.wall().filter(pk=pk).exists():
                messages.error(request, str(exc))  # claimed by someone else meanwhile: back to the wall
                return redirect("wishes:wall")
            add_service_errors(form, exc)
            return render(request, "wishes/claim.html", {"wish": _wall_wish(pk), "form": form}, status=exc.status)
        messages.success(request, _("认领成功，请在承诺日期前实现心愿。"))
        return redirect("wishes:mine")
    return render(request, "wishes/claim.html", {"wish": wish, "form": form,
                                                 "open": wish.state == State.PENDING_DISPATCH})


@login_required
@field.replays
def mine(request: HttpRequest) -> HttpResponse:
    """My claims; a live one is fulfilled here with a note, photos and the hours spent.  On the
    phone the form is queued (``data-queue``) when there is no signal, at the door of the wisher,
    and sent when the connection returns, once, by its idempotency key (answered as JSON)."""
    claims = list(selectors.claims_of(request.user))
    forms, status = {}, 200
    if request.method == "POST":
        queued = field.is_queued(request)
        claim_id = request.POST.get("claim")
        target = next((c for c in claims if str(c.pk) == claim_id), None)
        if target is None:
            if queued:
                return field.refused(_("没有这条认领。"), status=404)
            raise Http404
        form = FulfilForm(request.POST, request.FILES)
        done = _("已记录心愿实现情况，等待居民确认。")

        def fulfil(data: dict) -> Demand:
            return services.fulfil_own_claim(request.user, target.pk, data["version"], **form.service_kwargs())

        if queued:
            if not form.is_valid():
                return field.form_refused(form)

            def fulfil_queued() -> dict:
                fulfil(form.cleaned_data)
                return {"message": done, "number": target.demand.number}
            return field.replayable(request, fulfil_queued, flash=True)
        sent = submit(request, form, fulfil, done)
        if sent.ok:
            return redirect("wishes:mine")
        forms[target.pk], status = form, sent.status
    now = clock.now()
    for c in claims:
        c.live = c.released_at is None and c.demand.state == State.IN_PROGRESS
        c.form = forms.get(c.pk) or FulfilForm(initial={"version": c.demand.version})
        # Refused because the claim is no longer live (given back, fulfilled): no form to show the
        # reason on, so it is shown on the claim itself.
        c.refusal = c.form.non_field_errors() if c.pk in forms and not c.live else None
        c.late = c.live and c.promised_by < timezone.localdate(now)
    return render(request, "wishes/mine.html", {"claims": claims}, status=status)


def _is_resident(user) -> bool:
    """A signed-in resident: the resident role and a resident record behind the account."""
    return (user.is_authenticated and Role.RESIDENT in roles_of(user)
            and Resident.objects.filter(user=user).exists())


def _resident_required(view):
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not _is_resident(request.user):
            raise Http404(_("只有登录的居民可以在线提交微心愿。"))
        return view(request, *args, **kwargs)

    return wrapped


@_resident_required
def new_wish(request: HttpRequest) -> HttpResponse:
    """A resident makes a wish online (channel web); it waits for the community to route it."""
    resident = Resident.objects.select_related("region").get(user=request.user)
    initial = {"region": resident.region.code} if resident.region and resident.region.kind == Region.Kind.GRID else {}
    initial["address"] = resident.address
    form = ResidentWishForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wish = services.register_wish(
                request.user, channel=Channel.WEB, title=data["title"], description=data["description"],
                region=data["region"], address=data["address"], hide_name=not data["show_name"],
                consent=data["consent"], photos=data["photos"])
        except MinshengError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已提交微心愿 %(number)s，社区确认后会发布到心愿墙。") % {
                "number": wish.number})
            return redirect("wishes:my_wishes")
    return render(request, "wishes/new_wish.html", {"form": form}, status=400 if form.errors else 200)


@_resident_required
def my_wishes(request: HttpRequest) -> HttpResponse:
    """The wishes a resident made, each with where it stands."""
    wishes = list(selectors.wishes_made_by(request.user).prefetch_related(
        Prefetch("wish_claims", queryset=WishClaim.objects.filter(released_at__isnull=True), to_attr="live")))
    return render(request, "wishes/my_wishes.html", {"wishes": wishes})


@_staff_required
def staff_list(request: HttpRequest) -> HttpResponse:
    state = request.GET.get("state", "")
    qs = selectors.wishes_visible_to(request.user).order_by("-registered_at")
    if state in State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "wishes/staff_list.html", {
        "page": page, "state": state, "states": list(selectors.WISH_STATE_LABELS.items()),
        "overdue": selectors.overdue_claims_visible_to(request.user)[:50],
        "archive_count": selectors.pending_archive(request.user).count(),
        "params": f"state={state}" if state else "",
    })


@_staff_required
def intake(request: HttpRequest) -> HttpResponse:
    """Staff register a wish collected through any channel (a visit, a call, a wish box)."""
    form = WishIntakeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            wish = services.register_wish(
                request.user, channel=data["channel"], title=data["title"], description=data["description"],
                region=data["region"], address=data["address"], hide_name=not data["show_name"],
                reporter=engine.ReporterInput(name=data["name"], phone=data["phone"]), photos=data["photos"])
        except MinshengError as exc:
            add_service_errors(form, exc)
            return render(request, "wishes/intake.html", {"form": form}, status=exc.status)
        messages.success(request, _("已登记微心愿 %(number)s。") % {"number": wish.number})
        return redirect("web:demand", pk=wish.pk)
    return render(request, "wishes/intake.html", {"form": form})


@_staff_required
def quotas(request: HttpRequest) -> HttpResponse:
    """Quota boards: practical things per grassroots organisation, claims per member; who is behind."""
    year = dates.parse_year(request.GET.get("year"), clock.today().year)
    # A city's boards hold hundreds of organisations and members: each turns its own pages, with
    # those behind their quota first.
    organisations = party_selectors.quota_board(request.user, year)
    members = sorted(selectors.member_board(request.user, year), key=lambda row: row[1] >= row[2])
    return render(request, "wishes/quotas.html", {
        "year": year, "organisations": page_of(request, organisations, QUOTA_PAGE_SIZE, "organisation_page"),
        "members": page_of(request, members, QUOTA_PAGE_SIZE, "member_page"),
        "organisations_behind": [o for o, p in organisations if not p.met],
        "members_behind": [m for m, n, required in members if n < required],
    })
