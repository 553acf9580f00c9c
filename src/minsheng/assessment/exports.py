"""A demand list as Excel rows: the staff list and the demands behind a figure share them."""

from django.utils.translation import gettext as _

from minsheng.demands.workflow import Channel, Satisfaction, State

DEMAND_COLUMNS = ("number", "title", "state", "channel", "category__name", "region__name", "handling_unit__name",
                  "registered_at", "handle_due", "resolved_at", "satisfaction")


def demand_export_headers() -> list[str]:
    return [_("工单编号"), _("标题"), _("状态"), _("渠道"), _("分类"), _("所属区域"), _("承办单位"), _("登记时间"),
            _("办理时限"), _("办结时间"), _("满意度")]


def _labelled(rows):
    """Rows of DEMAND_COLUMNS' values with their choices in words."""
    states, channels, answers = dict(State.choices), dict(Channel.choices), dict(Satisfaction.choices)
    for number, title, state, channel, category, region, unit, registered, due, resolved, satisfaction in rows:
        yield [number, title, states.get(state, state), channels.get(channel, channel), category, region, unit,
               registered, due, resolved, answers.get(satisfaction, satisfaction)]


def demand_export_rows(queryset):
    """Rows of a demand list for Excel, read in chunks (constant memory); no personal data."""
    return _labelled(queryset.values_list(*DEMAND_COLUMNS).iterator(chunk_size=2000))


def item_export_rows(rows):
    """Rows of the items behind a figure (``drilldown.item_values_behind`` with DEMAND_COLUMNS):
    the day each counts on, then the demand's columns."""
    for (day, *_columns), row in zip(rows, _labelled(columns for _day, *columns in rows), strict=True):
        yield [day, *row]
