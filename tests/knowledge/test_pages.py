"""The knowledge base's pages: the operator answering from the intake page, the staff list and an
article's steps, matching articles beside a demand, the residents' 常见问题."""

import pytest
from django.urls import reverse

from minsheng.demands.models import Demand, DemandEvent
from minsheng.knowledge.models import Article
from minsheng.notifications.models import OutboxMessage
from tests.demands.helpers import register

from .helpers import article_fields, published

pytestmark = pytest.mark.django_db

INTAKE = {"demand_type": "consultation", "title": "咨询居住证", "channel": "hotline", "urgency": "general",
          "description": "来电人问办理居住证需要带什么材料。", "region": "g1", "address": "", "name": "刘芳",
          "phone": "13600002222"}


def test_the_intake_suggests_articles_as_the_operator_types(login, world):
    article = published(world)
    page = login("operator").get(reverse("knowledge:intake_suggestions"),
                                 {"title": "居住证", "description": "要带什么", "region": "g1"}).content.decode()
    assert article.title in page and 'name="answer_article"' in page and "直接答复并结案" in page
    nothing = login("operator").get(reverse("knowledge:intake_suggestions"), {"title": "井盖丢了"}).content.decode()
    assert "没有匹配的文章" in nothing


def test_direct_answer_from_the_intake_page_closes_the_consultation_and_texts_the_answer(login, world):
    article = published(world)
    response = login("operator").post(reverse("web:intake"),
                                      {**INTAKE, "answer_article": str(article.pk), "send_sms": "1"})
    demand = Demand.objects.get()
    assert response.status_code == 302 and response.url == reverse("web:demand", args=[demand.pk])
    assert demand.state == "closed"
    assert DemandEvent.objects.get(demand=demand, action="answer_directly").payload["article_version"] == 1
    assert OutboxMessage.objects.filter(key="knowledge.answer", address="13600002222").exists()
    page = login("operator").get(response.url).content.decode()
    assert "答复依据" in page and article.title in page


def test_a_refused_direct_answer_keeps_the_form_and_the_panel(login, world):
    article = published(world)
    response = login("operator").post(reverse("web:intake"),
                                      {**INTAKE, "demand_type": "complaint", "answer_article": str(article.pk)})
    assert response.status_code == 400 and not Demand.objects.exists()
    page = response.content.decode()
    assert "只有咨询类诉求可以直接答复" in page and article.title in page


def test_the_owner_writes_and_submits_and_the_centre_approves_on_the_pages(login, world):
    fields = article_fields(world)
    data = {**fields, "owner_unit": world.units["cg"].pk, "review_by": fields["review_by"].isoformat(),
            "category": "", "regions": []}
    response = login("handler_cg").post(reverse("knowledge:new"), data)
    article = Article.objects.get()
    assert response.status_code == 302 and article.status == "draft"
    login("handler_cg").post(reverse("knowledge:step", args=[article.pk, "submit"]))
    refused = login("handler_cg").post(reverse("knowledge:step", args=[article.pk, "approve"]), follow=True)
    assert "只有接诉即办中心可以审核" in refused.content.decode()
    login("leader").post(reverse("knowledge:step", args=[article.pk, "approve"]))
    article.refresh_from_db()
    assert article.status == "published" and article.current.number == 1
    listed = login("leader").get(reverse("knowledge:list"), {"q": "居住证"}).content.decode()
    assert article.title in listed
    assert login("handler_zj").get(reverse("knowledge:edit", args=[article.pk])).status_code == 404
    bad = login("handler_cg").post(reverse("knowledge:edit", args=[article.pk]), {**data, "title": ""})
    assert bad.status_code == 400


def test_a_demand_page_and_the_station_desk_show_matching_articles(login, world):
    article = published(world, title="夜间施工噪音投诉", answer="夜间施工需有夜间施工许可。")
    demand = register(world, title="工地夜间施工噪音", description="楼下工地半夜施工，噪音很大")
    page = login("dispatcher1").get(reverse("web:demand", args=[demand.pk])).content.decode()
    assert article.title in page and 'name="answer_article"' not in page


def test_the_residents_faq_is_public_searchable_and_linked_from_the_submit_page(client, world):
    permit = published(world)
    published(world, title="供暖报停怎么办理", answer="每年10月31日前到供热公司营业厅办理报停。")
    draft = Article.objects.create(**{**{k: v for k, v in article_fields(world).items() if k != "regions"},
                                      "title": "未发布的草稿"}, created_at=permit.created_at,
                                   updated_at=permit.created_at)
    page = client.get(reverse("knowledge:faq")).content.decode()
    assert permit.current.title in page and "供暖报停" in page and draft.title not in page
    found = client.get(reverse("knowledge:faq"), {"q": "供暖"}).content.decode()
    assert "供暖报停" in found and permit.current.title not in found
    assert reverse("knowledge:faq") in client.get(reverse("web:submit")).content.decode()


def test_a_step_is_confirmed_in_the_readers_language(login, world):
    fields = article_fields(world)
    data = {**fields, "owner_unit": world.units["cg"].pk, "review_by": fields["review_by"].isoformat(),
            "category": "", "regions": []}
    owner = login("handler_cg")
    owner.post(reverse("knowledge:new"), data)
    article = Article.objects.get()
    owner.cookies["django_language"] = "en"
    page = owner.post(reverse("knowledge:step", args=[article.pk, "submit"]), follow=True).content.decode()
    # The notice was fixed in Chinese when the module was imported (gettext at module level).
    assert "Submitted to the centre for approval." in page and "已提交中心审核" not in page
