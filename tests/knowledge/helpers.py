"""Articles brought to life through the real services."""

from datetime import timedelta

from minsheng.core import clock
from minsheng.demands import services as demand_services
from minsheng.knowledge import services
from minsheng.knowledge.models import Article


def article_fields(world, **extra) -> dict:
    fields = {
        "title": "办理居住证需要哪些材料",
        "answer": "持本人身份证到居住地社区服务站申领居住证，当场受理，15个工作日内领取。",
        "materials": "本人身份证\n近期一寸免冠照片\n租房合同或房产证明", "where_when": "社区服务站，工作日9:00-17:00",
        "legal_basis": "《居住证暂行条例》第九条", "owner_unit": world.units["cg"], "regions": [],
        "review_by": clock.today() + timedelta(days=90),
    }
    fields.update(extra)
    return fields


def published(world, editor="handler_cg", **extra) -> Article:
    """A draft written by ``editor``, submitted and approved by the centre's leader."""
    article = services.create_article(world.user(editor), **article_fields(world, **extra))
    services.submit_article(world.user(editor), article.pk)
    services.approve_article(world.user("leader"), article.pk)
    return Article.objects.select_related("current").get(pk=article.pk)


def consultation(world, *, region="g1", **extra) -> dict:
    fields = {"channel": "hotline", "demand_type": "consultation", "title": "咨询居住证办理",
              "description": "来电人想问办理居住证需要带什么材料。", "region": world.regions[region],
              "reporter": demand_services.ReporterInput(name="张伟", phone="13700001234")}
    fields.update(extra)
    return fields


def later(days: int):
    return clock.frozen_at(clock.now() + timedelta(days=days))
