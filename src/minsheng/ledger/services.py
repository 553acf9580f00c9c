"""Writing the ledger.  ``transfer`` is the one function that writes entries: two of them, one
debiting the source and one crediting the target by the same amount, with both accounts'
balances moved in the same transaction.  Nothing here updates or deletes an entry."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, NotFound, OutOfScope, PermissionDenied, ValidationFailed
from minsheng.organisation.models import Region
from minsheng.organisation.roles import Role
from minsheng.organisation.scope import grants_with_roles
from minsheng.volunteers.models import Volunteer

from .models import Account, Entry, Item, Measure, Redemption, Restock, Supermarket, Transfer, to_cents

CENT = Decimal("0.01")
# Who works the supermarket's counter and corrects the ledger.
COUNTER_ROLES = frozenset({Role.COMMUNITY_STAFF, Role.STREET_DISPATCHER, Role.ADMINISTRATOR})


def _amount(value, field: str = "amount") -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT)
    except (InvalidOperation, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0:
        raise ValidationFailed.for_field(field, _("数额必须是正数。"))
    return amount


def issuer_account(measure: str) -> Account:
    """The scheme's account that issues hours (or points); its balance is minus what it issued."""
    names = {Measure.HOURS: _("服务时长发放账户"), Measure.POINTS: _("爱心积分发放账户")}
    account, _created = Account.objects.get_or_create(kind=Account.Kind.ISSUER, measure=measure,
                                                      defaults={"name": names[measure]})
    return account


def volunteer_account(volunteer: Volunteer, measure: str) -> Account:
    label = _("%(name)s的服务时长") if measure == Measure.HOURS else _("%(name)s的爱心积分")
    account, _created = Account.objects.get_or_create(
        kind=Account.Kind.VOLUNTEER, volunteer=volunteer, measure=measure,
        defaults={"name": label % {"name": volunteer.resident.name}})
    return account


def supermarket_account(supermarket: Supermarket) -> Account:
    account, _created = Account.objects.get_or_create(
        kind=Account.Kind.SUPERMARKET, supermarket=supermarket, measure=Measure.POINTS,
        defaults={"name": _("%(name)s积分回收") % {"name": supermarket.name}})
    return account


def transfer(*, source: Account, target: Account, amount, kind: str, memo: str, actor=None,
             reference: str | None = None, reverses: Transfer | None = None, wish=None, activity=None) -> Transfer:
    """Move ``amount`` from ``source`` to ``target``: one transfer, two entries summing to zero."""
    amount = _amount(amount)
    if source.pk == target.pk:
        raise ValidationFailed.for_field("target", _("转出和转入不能是同一个账户。"))
    if source.measure != target.measure:
        raise ValidationFailed.for_field("target", _("服务时长和爱心积分不能互转。"))
    if kind not in Transfer.Kind.values:
        raise ValidationFailed.for_field("kind", _("未知的转账类型。"))
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = Transfer.objects.create(
                    kind=kind, measure=source.measure, amount_cents=to_cents(amount), memo=str(memo)[:200],
                    reference=reference,
                    reverses=reverses, wish=wish, activity=activity,
                    created_by=actor if getattr(actor, "is_authenticated", False) else None,
                    created_at=clock.now())
        except IntegrityError:
            raise InvalidTransition(_("这笔转账已经记过账。")) from None
        cents = to_cents(amount)
        Entry.objects.bulk_create([Entry(transfer=record, account=source, amount_cents=-cents),
                                   Entry(transfer=record, account=target, amount_cents=cents)])
        # Moved in the database (F), so that concurrent transfers on one account add up.
        Account.objects.filter(pk=source.pk).update(balance_cents=F("balance_cents") - cents)
        Account.objects.filter(pk=target.pk).update(balance_cents=F("balance_cents") + cents)
    return record


def points_for_hours(hours: Decimal) -> Decimal:
    return (Decimal(hours) * Decimal(str(settings.MINSHENG_POINTS_PER_HOUR))).quantize(CENT)


def credit_service(volunteer: Volunteer, hours, *, kind: str, memo: str, reference: str, actor=None, wish=None,
                   activity=None) -> tuple[Transfer, Transfer | None]:
    """Credit service hours, and the love-bank points they earn, to a volunteer (once per reference)."""
    hours = _amount(hours, "hours")
    with transaction.atomic():
        hours_transfer = transfer(source=issuer_account(Measure.HOURS),
                                  target=volunteer_account(volunteer, Measure.HOURS), amount=hours, kind=kind,
                                  memo=memo, actor=actor, reference=reference, wish=wish, activity=activity)
        points = points_for_hours(hours)
        points_transfer = None
        if points > 0:
            points_transfer = transfer(
                source=issuer_account(Measure.POINTS), target=volunteer_account(volunteer, Measure.POINTS),
                amount=points, kind=Transfer.Kind.POINTS_AWARD, memo=memo, actor=actor,
                reference=f"{reference}:points", wish=wish, activity=activity)
    return hours_transfer, points_transfer


def check_counter(actor, supermarket: Supermarket) -> None:
    grants = grants_with_roles(actor, COUNTER_ROLES)
    if not grants:
        raise PermissionDenied(_("你的角色不能操作爱心超市。"))
    if not any(g.region_path is not None and g.covers_region(supermarket.region) for g in grants):
        raise OutOfScope(_("该爱心超市不在你的管辖范围内。"))


def _street_path(region: Region) -> str:
    """The path of the street holding ``region`` (the region itself above street level)."""
    street = next((r for r in region.ancestors() if r.kind == Region.Kind.STREET), None)
    return street.path if street is not None else region.path


def volunteer_by_card(actor, card_number: str, supermarket: Supermarket) -> Volunteer:
    """The volunteer holding a member card, as the counter of ``supermarket`` may see them.

    The operator must be entitled to that counter (``check_counter``), and the card must belong to
    a volunteer of the supermarket's street: a counter serves its street (in the demo, a street's
    supermarket is kept by the staff of one of its communities), never another street's cards,
    whoever works it.  A card from elsewhere reads as unknown, so the counter learns nothing about
    other areas' volunteers (name, balance)."""
    check_counter(actor, supermarket)
    volunteer = (Volunteer.objects.select_related("resident", "region")
                 .filter(card_number=(card_number or "").strip().upper(), active=True,
                         region__path__startswith=_street_path(supermarket.region)).first())
    if volunteer is None:
        raise NotFound(_("没有找到这张爱心卡。"))
    return volunteer


def redeem(actor, *, card_number: str, item_id: int, quantity: int = 1) -> Redemption:
    """Redeem points for goods at the counter.  The item row and the volunteer's points account are
    locked, so two redemptions of the last item (or of the last points) let exactly one through."""
    if not isinstance(quantity, int) or quantity < 1 or quantity > 99:
        raise ValidationFailed.for_field("quantity", _("数量必须是1到99之间的整数。"))
    with transaction.atomic():
        try:
            item = Item.objects.select_for_update().select_related("supermarket").get(pk=item_id, active=True)
        except (Item.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("没有这件物品。")) from None
        check_counter(actor, item.supermarket)
        # Looked up once the counter is known: the card must be one this counter may serve.
        volunteer = volunteer_by_card(actor, card_number, item.supermarket)
        if item.stock < quantity:
            raise InvalidTransition(_("“%(item)s”库存不足（剩余 %(stock)d）。") % {"item": item.name,
                                                                                "stock": item.stock})
        account = volunteer_account(volunteer, Measure.POINTS)
        account = Account.objects.select_for_update().get(pk=account.pk)
        cost = (item.points * quantity).quantize(CENT)
        if account.balance < cost:
            raise InvalidTransition(_("积分不足：需要 %(cost)s，余额 %(balance)s。") % {
                "cost": cost, "balance": account.balance})
        record = transfer(source=account, target=supermarket_account(item.supermarket), amount=cost,
                          kind=Transfer.Kind.REDEMPTION, actor=actor,
                          memo=_("兑换 %(item)s × %(n)d") % {"item": item.name, "n": quantity})
        Item.objects.filter(pk=item.pk).update(stock=F("stock") - quantity)
        return Redemption.objects.create(transfer=record, item=item, quantity=quantity, volunteer=volunteer,
                                         created_at=clock.now())


def refund(actor, redemption_id: int, *, reason: str) -> Transfer:
    """Undo a redemption (goods returned): a new transfer back, the stock restored; nothing edited."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("请填写退还原因。"))
    with transaction.atomic():
        try:
            redemption = Redemption.objects.select_related("transfer", "item__supermarket").get(pk=redemption_id)
        except (Redemption.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("没有这条兑换记录。")) from None
        item = Item.objects.select_for_update().get(pk=redemption.item_id)
        check_counter(actor, redemption.item.supermarket)
        original = redemption.transfer
        if Transfer.objects.filter(reverses=original).exists():
            raise InvalidTransition(_("这次兑换已经退还过。"))
        back = reverse(original, kind=Transfer.Kind.REFUND, memo=_("退还：%(reason)s") % {"reason": reason},
                       actor=actor)
        Item.objects.filter(pk=item.pk).update(stock=F("stock") + redemption.quantity)
    return back


def reverse(original: Transfer, *, kind: str, memo: str, actor=None) -> Transfer:
    """A transfer that undoes ``original``: the same amount, the other way round."""
    entries = list(original.entries.select_related("account"))
    source = next(e.account for e in entries if e.amount_cents > 0)
    target = next(e.account for e in entries if e.amount_cents < 0)
    try:
        with transaction.atomic():
            return transfer(source=source, target=target, amount=original.amount, kind=kind, memo=memo, actor=actor,
                            reverses=original)
    except InvalidTransition:
        raise InvalidTransition(_("这笔转账已经冲正过。")) from None


def correct(actor, transfer_id: int, *, reason: str) -> Transfer:
    """Correct a transfer made in error: reverse it with a new transfer (the original stays)."""
    if not grants_with_roles(actor, {Role.ADMINISTRATOR, Role.STREET_DISPATCHER}):
        raise PermissionDenied(_("你的角色不能更正账目。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed.for_field("reason", _("请填写更正原因。"))
    try:
        original = Transfer.objects.get(pk=transfer_id)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("没有这笔转账。")) from None
    return reverse(original, kind=Transfer.Kind.CORRECTION, memo=_("更正：%(reason)s") % {"reason": reason},
                   actor=actor)


MAX_RESTOCK = 100_000


def restock(actor, item_id: int, *, quantity, source: str = "") -> Restock:
    """Put goods on the shelf: the item's stock grows by ``quantity`` and a restock record says by
    whom, when, from where and to what.  Whoever works the supermarket's counter (and the
    administrators of its territory) may restock it.  The item row is locked, so a redemption at the
    counter in the same moment is counted either before or after, never lost; the item is saved
    (not updated in bulk), so the configuration history shows its stock before → after."""
    try:
        quantity = int(str(quantity).strip())
    except (TypeError, ValueError):
        raise ValidationFailed.for_field("quantity", _("补货数量必须是整数。")) from None
    if not 1 <= quantity <= MAX_RESTOCK:
        raise ValidationFailed.for_field("quantity", _("补货数量必须在 1 到 %(max)d 之间。") % {"max": MAX_RESTOCK})
    source = (source or "").strip()
    if len(source) > 100:
        raise ValidationFailed.for_field("source", _("来源最多 100 个字。"))
    with transaction.atomic():
        try:
            item = Item.objects.select_for_update().select_related("supermarket__region").get(pk=item_id)
        except (Item.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("没有这件物品。")) from None
        check_counter(actor, item.supermarket)
        item.stock += quantity
        item.save(update_fields=["stock"])
        return Restock.objects.create(item=item, quantity=quantity, stock_after=item.stock, source=source,
                                      created_by=actor if getattr(actor, "pk", None) else None,
                                      created_at=clock.now())
