"""An article's life: draft, submission, the centre's approval, versions, the review sweep, withdrawal."""

from datetime import timedelta

import pytest

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, PermissionDenied, ValidationFailed
from minsheng.knowledge import selectors, services
from minsheng.knowledge.models import Article
from minsheng.notifications.models import OutboxMessage

from .helpers import article_fields, later, published

pytestmark = pytest.mark.django_db


def test_a_draft_is_read_by_nobody_until_the_centre_approves_it(world):
    article = services.create_article(world.user("handler_cg"), **article_fields(world))
    assert article.status == Article.Status.DRAFT and not article.live
    assert list(selectors.faq("居住证")) == []
    services.submit_article(world.user("handler_cg"), article.pk)
    with pytest.raises(PermissionDenied):  # the owner unit does not publish its own words
        services.approve_article(world.user("handler_cg"), article.pk)
    version = services.approve_article(world.user("leader"), article.pk)
    assert version.number == 1
    assert [a.pk for a in selectors.faq("居住证")] == [article.pk]


def test_only_the_owner_unit_edits_its_articles(world):
    article = published(world)
    fields = article_fields(world, title="改了标题")
    with pytest.raises(PermissionDenied):
        services.update_article(world.user("handler_zj"), article.pk, **fields)
    with pytest.raises(PermissionDenied):
        services.create_article(world.user("handler_zj"), **article_fields(world))


def test_a_new_version_keeps_the_old_one_and_is_read_only_once_approved(world):
    article = published(world)
    services.update_article(world.user("handler_cg"), article.pk,
                            **article_fields(world, answer="现改为网上申领：登录政务服务网提交材料，邮寄送达。"))
    article.refresh_from_db()
    assert article.status == Article.Status.DRAFT and article.live  # version 1 stays what operators read
    assert [a.pk for a in selectors.faq("社区服务站")] == [article.pk]
    assert list(selectors.faq("邮寄")) == []
    services.submit_article(world.user("handler_cg"), article.pk)
    services.approve_article(world.user("leader"), article.pk)
    article.refresh_from_db()
    assert [v.number for v in selectors.versions_of(article)] == [2, 1]
    assert article.current.number == 2 and "邮寄" in article.current.answer
    assert [a.pk for a in selectors.faq("邮寄")] == [article.pk]
    assert list(selectors.faq("社区服务站")) == []


def test_a_rejected_copy_goes_back_with_the_reason(world):
    article = services.create_article(world.user("handler_cg"), **article_fields(world))
    services.submit_article(world.user("handler_cg"), article.pk)
    with pytest.raises(ValidationFailed):
        services.reject_article(world.user("leader"), article.pk, reason="")
    services.reject_article(world.user("leader"), article.pk, reason="材料清单不全")
    article.refresh_from_db()
    assert (article.status, article.reject_reason) == (Article.Status.DRAFT, "材料清单不全")
    with pytest.raises(InvalidTransition):
        services.approve_article(world.user("leader"), article.pk)


def test_bad_input_is_refused_with_the_field(world):
    for bad, field in [({"title": ""}, "title"), ({"answer": " "}, "answer"),
                       ({"review_by": clock.today() - timedelta(days=1)}, "review_by"),
                       ({"category": "no-such"}, "category"), ({"title": "长" * 101}, "title")]:
        with pytest.raises(ValidationFailed) as refused:
            services.create_article(world.user("handler_cg"), **article_fields(world, **bad))
        assert field in refused.value.field_errors


def test_past_its_review_date_an_article_is_flagged_once_to_its_owner_and_listed_for_the_centre(world):
    due = published(world, review_by=clock.today() + timedelta(days=30))
    fresh = published(world, title="供暖报停怎么办理", review_by=clock.today() + timedelta(days=300))
    assert services.flag_overdue_reviews() == 0
    with later(31):
        assert list(selectors.overdue_articles()) == [due]
        assert services.flag_overdue_reviews() == 1
        assert services.flag_overdue_reviews() == 0  # told once per review date
        told = OutboxMessage.objects.filter(key="knowledge.review_overdue")
        assert {m.recipient.username for m in told} == {"handler_cg"}
        assert told[0].params["title"] == due.title
    assert fresh not in selectors.overdue_articles()


def test_a_withdrawn_article_leaves_the_index_and_its_versions_stay(world):
    article = published(world)
    services.withdraw_article(world.user("handler_cg"), article.pk)
    assert list(selectors.faq("居住证")) == []
    assert selectors.suggest("居住证材料") == []
    assert article.versions.count() == 1


def test_rebuild_search_recomputes_the_articles_index_as_it_was_kept(world):
    from io import StringIO

    from django.core.management import call_command

    from minsheng.knowledge.models import SEARCH_TABLE
    from minsheng.search import index

    published(world)
    gone = published(world, title="楼上漏水怎么办", answer="先联系物业关闭阀门。")
    services.withdraw_article(world.user("handler_cg"), gone.pk)
    live = index.stored_documents(SEARCH_TABLE)
    assert set(live) == {a.pk for a in selectors.live_articles()}
    call_command("rebuild_search", stdout=StringIO())
    assert index.stored_documents(SEARCH_TABLE) == live


def test_operators_answer_from_articles_but_do_not_write_them(world):
    article = published(world)
    with pytest.raises(PermissionDenied):
        services.update_article(world.user("operator"), article.pk, **article_fields(world))
