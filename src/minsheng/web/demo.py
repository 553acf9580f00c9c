"""The demo's reply templates (宏): what a street office's administrator writes first — one per
reply form for every category, and a few for the categories that come up most."""

from minsheng.catalogue.models import Category

from .models import ReplyTemplate

TEMPLATES = [
    ("办结告知", "resolve", None,
     "{resident_name}您好，您反映的诉求（编号{number}）已由{unit}办理完毕。如仍有问题，请再次致电12345。"),
    ("路面修复办结", "resolve", "construction",
     "{resident_name}您好，您反映的{number}号诉求，{unit}已到现场完成修复并设置警示，请您出行注意安全。"),
    ("垃圾清运办结", "resolve", "environment.waste",
     "{resident_name}您好，{unit}已清运您反映的垃圾堆放点，并已通知物业每日巡查（工单{number}）。"),
    ("已联系诉求人", "record_progress", None,
     "已电话联系诉求人{resident_name}，说明办理安排，承诺于{deadline}前办结。"),
    ("等待现场核查", "record_progress", None, "{unit}已安排人员现场核查，核查后将反馈办理结果。"),
    ("非本单位职责", "return", None,
     "经核实，工单{number}反映的事项不属于{unit}职责范围，请按派单目录改派至主管部门。"),
    ("回访满意", "revisit", None, "已电话回访{resident_name}，诉求人表示问题已解决，对办理结果满意。"),
    ("回访未接通后补访", "revisit", None, "首次回访未接通，次日补访{resident_name}，已确认办理情况。"),
]


def seed_reply_templates() -> str:
    """The templates above, each once (by its action and name)."""
    categories = {c.code: c for c in Category.objects.filter(code__in=[t[2] for t in TEMPLATES if t[2]])}
    added = 0
    for name, action, category, text in TEMPLATES:
        _template, created = ReplyTemplate.objects.get_or_create(
            action=action, name=name, defaults={"text": text, "category": categories.get(category)})
        added += created
    return f"reply templates: {added} added"
