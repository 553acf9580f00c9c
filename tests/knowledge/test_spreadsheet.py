"""Excel export and import of articles: the export reads back; a dry run lists each refused row and
writes nothing; an import writes every row as a draft, or none."""

import io
import random

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from minsheng.knowledge import services, spreadsheet
from minsheng.knowledge.models import Article

from .helpers import published

pytestmark = pytest.mark.django_db


def _workbook(rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(spreadsheet.headers())
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "articles.xlsx"
    return out


def _row(title: str, *, pk="", unit="cg", review="2099-12-31", answer="到社区服务站办理。") -> list:
    return [pk, title, answer, "身份证\n照片", "社区服务站", "", "", "", unit, "否", review, "", ""]


def test_the_export_lists_the_articles_and_reads_back_as_an_update(login, world):
    article = published(world)
    response = login("handler_cg").get(reverse("knowledge:export"))
    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == spreadsheet.headers()
    assert rows[1][0] == article.pk and rows[1][1] == article.title and rows[1][8] == "cg"
    changed = [*rows[1]]
    changed[2] = "改为线上办理。"
    result = spreadsheet.import_articles(world.user("handler_cg"), _workbook([changed]))
    assert (result.created, result.updated, result.errors) == (0, 1, [])
    article.refresh_from_db()
    assert article.answer == "改为线上办理。" and article.status == "draft" and article.current.number == 1


def test_a_dry_run_lists_every_bad_row_and_writes_nothing(world):
    rng = random.Random()
    good = [_row(f"好的文章{i}") for i in range(rng.randint(1, 4))]
    bad = [(_row("", review="2099-01-01"), "标题"), (_row("别人的文章", unit="zj"), "区住建局"),
           (_row("日期不对", review="明年"), "复审日期"), (_row("不存在的编号", pk=99999), "99999")]
    picked = rng.sample(bad, rng.randint(1, len(bad)))
    rows = good + [row for row, _reason in picked]
    rng.shuffle(rows)
    for dry_run in (True, False):
        result = spreadsheet.import_articles(world.user("handler_cg"), _workbook(rows), dry_run=dry_run)
        assert len(result.errors) == len(picked) and not result.written
        expected = {rows.index(row) + 2: word for row, word in picked}  # Excel's row numbers (1: the header)
        assert {n for n, _r in result.errors} == set(expected)
        for number, reason in result.errors:
            assert expected[number] in reason, (number, reason)
        assert not Article.objects.exists()  # all or nothing
    result = spreadsheet.import_articles(world.user("handler_cg"), _workbook(good), dry_run=True)
    assert (result.created, result.errors, Article.objects.count()) == (len(good), [], 0)
    result = spreadsheet.import_articles(world.user("handler_cg"), _workbook(good))
    assert result.written and Article.objects.filter(status="draft").count() == len(good)


def test_the_import_page_shows_the_row_errors(login, world):
    page = login("handler_cg").post(reverse("knowledge:import"), {
        "file": _workbook([_row("好的"), _row("", review="2099-01-01")]), "dry_run": "on"})
    assert page.status_code == 400 and "请填写标题" in page.content.decode()
    not_a_workbook = io.BytesIO(b"not a workbook")
    not_a_workbook.name = "x.xlsx"
    page = login("handler_cg").post(reverse("knowledge:import"), {"file": not_a_workbook})
    assert page.status_code == 400 and "无法读取该文件" in page.content.decode()
    assert services.editable_units_exist(world.user("handler_cg"))
    assert login("auditor").get(reverse("knowledge:import")).status_code == 404
