"""Reply templates (宏): kept by administrators, checked for unknown placeholders when saved, and
offered on the demand page's reply forms filled with that demand's values."""

import html

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from minsheng.catalogue.models import Category
from minsheng.web.models import ReplyTemplate
from minsheng.web.replies import check_placeholders, fill, values_for

from ..demands.helpers import bring_to

RESOLVED_TEXT = "{resident_name}您好，您反映的{number}已由{unit}处理完毕（时限{deadline}）。"


@pytest.mark.parametrize("text", ["{resident}您好", "{number.__class__}", "{number!r}", "{unit:>10}", "您好{",
                                  "{0}"])
def test_unknown_or_malformed_placeholders_are_refused(text):
    with pytest.raises(ValidationError) as info:
        check_placeholders(text)
    assert "{resident_name}" in str(info.value)  # says which placeholders exist


def test_the_staff_page_refuses_an_unknown_placeholder_by_name(login, world):
    response = login("admin").post(reverse("web:reply_templates"), {
        "name": "办结通知", "action": "resolve", "text": "{resident_name}您好，{deadlin}前办结"})
    assert response.status_code == 400 and "未知的占位符：{deadlin}" in response.content.decode()
    assert not ReplyTemplate.objects.exists()


def test_administrators_keep_templates_and_nobody_else_may(login, world):
    response = login("admin").post(reverse("web:reply_templates"), {
        "name": "办结通知", "action": "resolve", "category": Category.objects.get(code="construction").pk,
        "text": RESOLVED_TEXT, "active": "on"})
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    login("admin").post(reverse("web:reply_template", args=[template.pk]), {
        "name": "办结通知", "action": "resolve", "text": "已办结。"})
    template.refresh_from_db()
    assert template.text == "已办结。" and template.category is None and not template.active
    assert login("dispatcher1").get(reverse("web:reply_templates")).status_code == 404
    assert login("handler_cg").post(reverse("web:reply_template", args=[template.pk]), {
        "name": "x", "action": "resolve", "text": "x"}).status_code == 404


def test_the_resolve_form_offers_the_categorys_templates_filled_for_the_demand(login, world):
    demand = bring_to(world, "in_progress")  # construction.roads, handled by 区城管局
    ReplyTemplate.objects.create(name="办结通知", action="resolve", text=RESOLVED_TEXT,
                                 category=Category.objects.get(code="construction"))  # the parent category
    ReplyTemplate.objects.create(name="环境类", action="resolve", text="环境",
                                 category=Category.objects.get(code="environment"))
    ReplyTemplate.objects.create(name="停用的", action="resolve", text="停用", active=False)
    ReplyTemplate.objects.create(name="进展", action="record_progress", text="{number}正在处理")
    page = html.unescape(login("handler_cg").get(reverse("web:demand", args=[demand.pk])).content.decode())
    due = f"{timezone.localtime(demand.handle_due):%Y-%m-%d %H:%M}"
    assert f"张伟您好，您反映的{demand.number}已由区城管局处理完毕（时限{due}）。" in page
    assert 'data-reply-into="result"' in page and 'data-reply-into="note"' in page
    assert f"{demand.number}正在处理" in page
    assert ">环境类<" not in page and ">停用的<" not in page


def test_a_demand_without_reporter_or_unit_fills_plain_words(world):
    demand = bring_to(world, "pending_dispatch")
    demand.reporter = None
    values = values_for(demand)
    assert values["unit"] == "—" and values["deadline"] == "—" and values["resident_name"] == "居民"
    assert fill("{number}", values) == demand.number
    assert fill("{broken", values) == "{broken"  # slipped past the check: offered as written


def test_the_demos_templates_use_known_placeholders_only():
    from minsheng.web.demo import TEMPLATES

    for _name, action, _category, text in TEMPLATES:
        check_placeholders(text)
        assert action in ReplyTemplate.Action.values
