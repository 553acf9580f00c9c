"""``{% mediation_panel demand %}`` on a demand's and a station case's page: the mediation cases
that came from it, the mediation case the demand is, and 转人民调解 for the roles that may."""

from django import template

register = template.Library()


@register.inclusion_tag("mediation/_panel.html", takes_context=True)
def mediation_panel(context, demand) -> dict:
    from minsheng.demands.workflow import Kind

    from .. import selectors
    from ..views import may_start_from

    user = context["request"].user
    readable = selectors.cases_for(user)
    return {
        "demand": demand,
        "own_case": readable.filter(demand=demand).first() if demand.kind == Kind.MEDIATION else None,
        "cases": list(readable.filter(source=demand)) if demand.kind == Kind.DEMAND else [],
        "may_start": may_start_from(user, demand, context.get("available_actions")) and selectors.may_mediate(user),
    }


@register.filter
def png_base64(image) -> str:
    """A stored signature's PNG as base64, inlined into the agreement's PDF (no URL is fetched)."""
    import base64

    if not image:
        return ""
    with image.open("rb") as handle:
        return base64.b64encode(handle.read()).decode("ascii")
