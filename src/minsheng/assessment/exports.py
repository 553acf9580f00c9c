"""A demand list as Excel rows: the staff list and the demands behind a figure share them."""

from django.utils.translation import gettext as _

from minsheng.demands.workflow import Channel, Satisfaction, State

DEMAND_COLUMNS = ("number", "title", "state", "channel", "category__name", "region__name", "handling_unit__name",
                  "registered_at", "handle_due", "resolved_at", "satisfaction")


def demand_export_headers() -> list[str]:
    return [_("工单编号"), _("标题"), _("状态"), _("渠道"), _("分类"), _("所属区域"), _("承办单位"), _("登记时间"),
            _("办理时限"), _("办结时间"), _("满意度")]


def demand_export_rows(queryset):
    """Rows of a demand list for Excel, read in chunks (constant memory); no personal data."""
    states, channels, answers = dict(State.choices), dict(Channel.choices), dict(Satisfaction.choices)
    for row in queryset.values_list(*DEMAND_COLUMNS).iterator(chunk_size=2000):
        number, title, state, channel, category, region, unit, registered, due, resolved, satisfaction = row
        yield [number, title, states.get(state, state), channels.get(channel, channel), category, region, unit,
               registered, due, resolved, answers.get(satisfaction, satisfaction)]


def item_export_rows(items):
    """Rows of the items behind a figure: the day each counts on, then the demand's columns."""
    states, channels, answers = dict(State.choices), dict(Channel.choices), dict(Satisfaction.choices)
    for item in items:
        d = item.demand
        yield [item.day, d.number, d.title, states.get(d.state, d.state), channels.get(d.channel, d.channel),
               d.category.name if d.category else "", d.region.name,
               d.handling_unit.name if d.handling_unit else "", d.registered_at, d.handle_due, d.resolved_at,
               answers.get(d.satisfaction, d.satisfaction)]
