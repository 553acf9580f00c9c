"""The operator's intake for the keyboard: the first field focused, and 登记并接下一件 (Alt+N)
back to a blank form that keeps the channel."""

from django.urls import reverse

from minsheng.demands.models import Demand

INTAKE = {"demand_type": "complaint", "category": "construction.roads", "title": "小区门口路灯不亮",
          "description": "玫瑰城社区5号楼门口的路灯已经坏了一周，晚上出行很不方便。", "region": "g1",
          "address": "玫瑰城第一网格5号楼门口", "name": "刘芳", "phone": "13600002222", "urgency": "general"}


def test_the_form_opens_on_the_phone_field_with_its_shortcuts(login, world):
    page = login("operator").get(reverse("web:intake")).content.decode()
    assert "data-shortcuts" in page and 'aria-keyshortcuts="Alt+N"' in page
    assert 'name="phone" id="id_phone" value="" maxlength="20" required autofocus' in page


def test_the_shortcuts_read_as_one_sentence_in_either_language(login, world):
    import re

    client = login("operator")

    def hint() -> str:
        page = client.get(reverse("web:intake")).content.decode()
        return re.search(r'<p[^>]*id="intake-shortcuts">(.*?)</p>', page, re.S).group(1)

    assert "<kbd>Ctrl</kbd>+<kbd>Enter</kbd> 登记，<kbd>Alt</kbd>+<kbd>N</kbd> 登记并接下一件。" in hint()
    client.cookies["django_language"] = "en"
    # The Chinese comma and full stop stood between the English phrases, outside the catalogue.
    text = hint()
    assert "<kbd>Alt</kbd>+<kbd>N</kbd> registers and takes the next call." in text
    assert not re.search(r"[\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]", text), text


def test_save_and_next_returns_to_a_blank_form_keeping_the_channel(login, world):
    client = login("operator")
    response = client.post(reverse("web:intake"), {**INTAKE, "channel": "email", "and_next": "1"}, follow=True)
    demand = Demand.objects.get()
    assert response.redirect_chain[-1][0] == reverse("web:intake") + "?channel=email"
    page = response.content.decode()
    assert f"已登记诉求 {demand.number}" in page and '<option value="email" selected>' in page
    assert 'value="小区门口路灯不亮"' not in page  # blank for the next call
    response = client.post(reverse("web:intake"), {**INTAKE, "channel": "hotline"})
    assert response.status_code == 302 and response["Location"].startswith("/work/demands/")


def test_a_refused_form_does_not_steal_the_focus_to_the_phone(login, world):
    page = login("operator").post(reverse("web:intake"), {**INTAKE, "channel": "hotline", "title": ""}).content
    assert b"autofocus" not in page
