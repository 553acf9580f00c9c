from django import template

from minsheng.calls.models import CallRecord

register = template.Library()


@register.inclusion_tag("calls/_demand_calls.html")
def demand_calls(demand) -> dict:
    """The calls kept on a demand (the one it was registered in, callers' later calls about it)."""
    return {"calls": list(CallRecord.objects.filter(demand=demand).order_by("offered_at"))}
