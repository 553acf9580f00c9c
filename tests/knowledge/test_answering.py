"""Answering on the call: a consultation answered from an article through the workflow, counted in
直接答复率; an expert-seat article sending it to its unit; suggestions from the index."""

import random
from datetime import timedelta

import pytest
from django.utils import timezone

from minsheng.assessment import selectors as figures
from minsheng.core import clock
from minsheng.core.errors import ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand, DemandEvent
from minsheng.demands.selectors import available_actions
from minsheng.demands.workflow import State
from minsheng.knowledge import selectors, services
from minsheng.notifications.models import OutboxMessage
from tests.demands.helpers import register

from .helpers import consultation, published

pytestmark = pytest.mark.django_db


def _answer(world, article, actor="operator", **extra):
    return services.answer_consultation(world.user(actor), article_id=article.pk, **consultation(world, **extra))


def test_a_consultation_answered_directly_is_closed_at_once_citing_the_article_and_its_version(world):
    article = published(world)
    demand = _answer(world, article, send_sms=True)
    demand = Demand.objects.get(pk=demand.pk)
    assert demand.state == State.CLOSED and demand.closed_at is not None
    assert "身份证" in demand.result and "租房合同" in demand.result
    event = DemandEvent.objects.get(demand=demand, action="answer_directly")
    assert (event.payload["article_id"], event.payload["article_version"]) == (article.pk, 1)
    assert event.to_state == State.CLOSED and event.actor.username == "operator"
    sms = OutboxMessage.objects.get(key="knowledge.answer")
    assert sms.channel == "sms" and sms.address == "13700001234" and "身份证" in sms.params["answer"]


def test_only_a_consultation_is_answered_directly_and_nothing_is_left_behind(world):
    article = published(world)
    before = Demand.objects.count()
    with pytest.raises(ValidationFailed) as refused:
        _answer(world, article, demand_type="complaint")
    assert "demand_type" in refused.value.field_errors
    assert Demand.objects.count() == before  # the registration rolled back with the refusal


def test_the_direct_answer_is_never_offered_on_a_demands_page(world):
    demand = register(world, demand_type="consultation")
    actions = {t.action for t in available_actions(world.user("operator"), demand)}
    assert "answer_directly" not in actions and "refer_to_expert" not in actions


def test_an_expert_seat_article_routes_the_consultation_to_its_unit(world):
    article = published(world, editor="handler_zj", owner_unit=world.units["zj"], expert_seat=True,
                       title="房屋维修基金使用条件")
    demand = Demand.objects.get(pk=_answer(world, article).pk)
    assert demand.state == State.DISPATCHED and demand.handling_unit == world.units["zj"]
    assert demand.handle_due is not None
    event = DemandEvent.objects.get(demand=demand, action="refer_to_expert")
    assert event.payload["article_id"] == article.pk
    assert OutboxMessage.objects.filter(key="demand.dispatch", recipient__username="handler_zj").exists()
    # in the unit's queue: the handler may accept it
    accepted = demand_services.accept_demand(world.user("handler_zj"), demand.pk, demand.version)
    assert accepted.state == State.IN_PROGRESS


def test_direct_answer_rate_over_a_random_workload_lies_between_0_and_100(world):
    rng = random.Random()
    article = published(world)
    expert = published(world, editor="handler_zj", owner_unit=world.units["zj"], expert_seat=True,
                       title="房屋维修基金使用条件")
    answered = consultations = 0
    for i in range(rng.randint(3, 9)):
        roll = rng.random() * (0.85 if i == 0 else 1)  # one consultation at least: the rate has a base
        if roll < 0.45:
            _answer(world, article, region=rng.choice(["g1", "g2"]))
            answered += 1
            consultations += 1
        elif roll < 0.65:
            _answer(world, expert)
            consultations += 1
        elif roll < 0.85:
            register(world, demand_type="consultation")
            consultations += 1
        else:
            register(world)  # a complaint: in no part of the figure
    today = timezone.localdate(clock.now())
    f = figures.figures(world.user("leader"), today - timedelta(days=1), today + timedelta(days=1))
    assert (f.count("answered_directly"), f.count("consultations")) == (answered, consultations)
    rate = f.rate("direct_answer")
    assert rate is not None and 0 <= rate <= 100
    assert float(rate) == pytest.approx(100 * answered / consultations, abs=0.05)  # shown to one decimal


def test_suggestions_follow_the_words_typed_and_the_callers_region(world):
    permit = published(world)
    heating = published(world, title="供暖报停怎么办理", answer="每年10月31日前到供热公司营业厅办理报停。",
                        materials="房产证\n身份证", regions=[world.regions["c2"]])
    noise = published(world, title="夜间施工噪音投诉", answer="夜间施工需有夜间施工许可，可拨打12345投诉。",
                      materials="")
    assert [s.article for s in selectors.suggest("我想问一下居住证要带什么")] == [permit]
    assert [s.article for s in selectors.suggest("晚上工地噪音很大")] == [noise]
    # 雷锋社区's article is suggested there and not in 玫瑰城
    assert heating in [s.article for s in selectors.suggest("暖气报停", world.regions["g2"])]
    assert heating not in [s.article for s in selectors.suggest("暖气报停", world.regions["g1"])]
    assert selectors.suggest("？？？") == []


def test_article_search_finds_two_character_words_the_same_way_on_either_database(world):
    """The suite runs on SQLite and PostgreSQL: the same queries give the same articles in the same order."""
    permit = published(world)
    leak = published(world, title="楼上漏水怎么办", answer="先联系物业关闭阀门，再协商维修；协商不成可申请调解。",
                      materials="漏水照片")
    assert [a.pk for a in selectors.faq("漏水")] == [leak.pk]
    assert [a.pk for a in selectors.faq("照片")] == [permit.pk, leak.pk]
    assert list(selectors.faq("漏水 居住证")) == []  # every word of the query
    assert [s.article.pk for s in selectors.suggest("漏水 居住证")] == [permit.pk, leak.pk]  # equal scores: by key
