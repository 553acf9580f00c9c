"""Bring a fresh demand to any point of the workflow through the real services."""

from datetime import timedelta

from minsheng.core import clock
from minsheng.demands import services
from minsheng.demands.models import Demand


def register(world, *, actor="operator", region="g1", category="construction.roads", **extra) -> Demand:
    kwargs = {
        "channel": "hotline", "demand_type": "complaint", "title": "建设路井盖缺失",
        "description": "建设路与光明街交叉口的井盖丢失两天了，晚上很危险，请尽快处理。",
        "region": world.regions[region], "category": category,
        "reporter": services.ReporterInput(name="张伟", phone="13700001234"),
    }
    kwargs.update(extra)
    return services.register_demand(world.user(actor) if actor else None, **kwargs)


def _do(world, actor, demand, action, **kwargs) -> Demand:
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


# Each stop: the step that reaches it from the previous stop.
PATH = {
    "registered": [],
    "pending_dispatch": [("staff1", "verify", {})],
    "dispatched": [("staff1", "verify", {}), ("dispatcher1", "dispatch", {})],
}
PATH["in_progress"] = [*PATH["dispatched"], ("handler_cg", "accept", {})]
PATH["returned"] = [*PATH["dispatched"], ("handler_cg", "return", {"reason": "不属于本单位职责"})]
PATH["escalated"] = [*PATH["in_progress"], ("handler_cg", "escalate", {"reason": "需要区级协调"})]
PATH["extension_requested"] = [*PATH["in_progress"], ("handler_cg", "request_extension", {
    "until": clock.now() + timedelta(days=60), "reason": "需要协调施工单位"})]
PATH["suspension_requested"] = [*PATH["in_progress"], ("handler_cg", "request_suspension",
                                                       {"reason": "暂不具备条件，待明年改造"})]
PATH["suspended"] = [*PATH["suspension_requested"], ("dispatcher1", "approve_suspension", {})]
PATH["resolved"] = [*PATH["in_progress"], ("handler_cg", "resolve", {"result": "已补装井盖"})]
PATH["revisited"] = [*PATH["resolved"], ("operator", "revisit", {"satisfaction": "satisfied", "solved": "solved"})]
PATH["revisited_dissatisfied"] = [*PATH["resolved"], ("operator", "revisit",
    {"satisfaction": "dissatisfied", "solved": "unsolved"})]
PATH["closed"] = [*PATH["revisited"], ("operator", "close", {})]
PATH["invalid"] = [("staff1", "reject_invalid", {"reason": "重复来电"})]
PATH["supervised"] = [*PATH["in_progress"], ("leader", "order_supervision", {
    "instruction": "请说明进展", "reply_by": clock.now() + timedelta(days=400)})]
PATH["summoned"] = [*PATH["in_progress"], ("dispatcher1", "summon", {"units": ["zj"], "reason": "涉及管线权属"})]
PATH["summoned_revisited"] = [*PATH["summoned"], ("handler_cg", "resolve", {"result": "已补装井盖"}),
                              ("operator", "revisit", {"satisfaction": "satisfied", "solved": "solved"})]


def bring_to(world, stop: str, **register_kwargs) -> Demand:
    demand = register(world, **register_kwargs)
    for actor, action, kwargs in PATH[stop]:
        demand = _do(world, actor, demand, action, **kwargs)
    return Demand.objects.get(pk=demand.pk)
