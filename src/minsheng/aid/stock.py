"""A campaign's stock: per line (money, or a goods item in its unit) what was received in its
donations and what was given in its gifts, only rows in force counted.  A campaign may never give
more than it received, in quantity per line or in value overall (``check_balance``)."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _

from minsheng.core.errors import InvalidTransition

from .models import Campaign, Donation, Gift, Kind, Status

ZERO = Decimal("0.00")


@dataclass
class StockLine:
    kind: str
    item: str
    unit: str
    received_quantity: Decimal = ZERO
    received_value: Decimal = ZERO
    given_quantity: Decimal = ZERO
    given_value: Decimal = ZERO

    @property
    def label(self) -> str:
        return _("现金（元）") if self.kind == Kind.MONEY else f"{self.item}（{self.unit}）"

    @property
    def quantity_left(self) -> Decimal:
        return self.received_quantity - self.given_quantity

    @property
    def value_left(self) -> Decimal:
        return self.received_value - self.given_value


def line_key(kind: str, item: str, unit: str) -> tuple[str, str, str]:
    """Money is one line whatever its wording; goods are a line per item and unit."""
    return (Kind.MONEY, "", "") if kind == Kind.MONEY else (Kind.GOODS, item.strip(), unit.strip())


def stock_lines(campaign: Campaign | int) -> list[StockLine]:
    """The campaign's lines, money first, then goods by item (two grouped queries)."""
    campaign_id = getattr(campaign, "pk", campaign)
    lines: dict[tuple[str, str, str], StockLine] = {}
    sources = ((Donation, "received"), (Gift, "given"))
    for model, side in sources:
        rows = (model.objects.filter(campaign_id=campaign_id, status=Status.ACTIVE)
                .values("kind", "item", "unit").annotate(q=Sum("quantity"), v=Sum("value")))
        for row in rows:
            key = line_key(row["kind"], row["item"], row["unit"])
            line = lines.setdefault(key, StockLine(*key))
            setattr(line, f"{side}_quantity", getattr(line, f"{side}_quantity") + row["q"])
            setattr(line, f"{side}_value", (getattr(line, f"{side}_value") + row["v"]).quantize(ZERO))
    return sorted(lines.values(), key=lambda line: (line.kind != Kind.MONEY, line.item, line.unit))


def check_balance(campaign: Campaign) -> None:
    """Refuse (the caller's transaction then rolls back) when any line, or the value as a whole,
    has been given beyond what was received."""
    lines = stock_lines(campaign)
    for line in lines:
        if line.quantity_left < 0:
            raise InvalidTransition(_(
                "“%(campaign)s”的%(line)s结余不足：已接收 %(received)s，已发放 %(given)s，不能为负。") % {
                "campaign": campaign.name, "line": line.label, "received": _plain(line.received_quantity),
                "given": _plain(line.given_quantity)})
    received = sum((line.received_value for line in lines), ZERO)
    given = sum((line.given_value for line in lines), ZERO)
    if given > received:
        raise InvalidTransition(_(
            "“%(campaign)s”发放总价值 %(given)s 元超过接收总价值 %(received)s 元，结余不能为负。") % {
            "campaign": campaign.name, "given": given, "received": received})


def unit_value(campaign: Campaign, item: str, unit: str) -> Decimal | None:
    """The average value of one unit of ``item`` received into the campaign (None if none was)."""
    key = line_key(Kind.GOODS, item, unit)
    for line in stock_lines(campaign):
        if (line.kind, line.item, line.unit) == key and line.received_quantity > 0:
            return line.received_value / line.received_quantity
    return None


def _plain(value: Decimal) -> str:
    """2.00 → 2, 2.50 → 2.5: quantities read as people write them."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
