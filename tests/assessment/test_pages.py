"""The assessment pages as their users see them: scoped, linked to the demands behind each figure."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from minsheng.core import clock
from minsheng.demands import services
from minsheng.organisation.models import Membership
from minsheng.organisation.roles import Role
from tests.demands.helpers import bring_to, register

pytestmark = pytest.mark.django_db


def _client(client, world, name):
    client.force_login(world.users[name])
    return client


def _do(world, actor, demand, action, **kwargs):
    return services.SERVICE_FOR_ACTION[action](world.user(actor), demand.pk, demand.version, **kwargs)


def _heping(world, title):
    demand = register(world, region="g2", title=title)
    demand = _do(world, "staff2", demand, "verify")
    return _do(world, "dispatcher2", demand, "dispatch")


@pytest.fixture
def street_leader(world):
    """A leader of 光明街道's office: sees that street only."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(username="street_leader", password="pw")
    Membership.objects.create(user=user, unit=world.units["so1"], role=Role.LEADER)
    return user


def test_the_dashboard_shows_the_figures_with_links_to_the_demands(client, world):
    bring_to(world, "dispatched", title="光明井盖缺失")
    response = _client(client, world, "leader").get(reverse("web:dashboard"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "数据看板" in page and "echarts.min.js" in page and "光明街道" in page
    assert reverse("web:assessment_demands") + "?figure=registered" in page


def test_a_street_leader_sees_only_their_street(client, world, street_leader):
    bring_to(world, "dispatched", title="光明井盖缺失")
    _heping(world, "和平路灯不亮")
    client.force_login(street_leader)
    page = client.get(reverse("web:dashboard")).content.decode()
    assert "光明街道" in page and "和平街道" not in page
    today = timezone.localdate(clock.now())
    listed = client.get(reverse("web:assessment_demands"), {
        "figure": "registered", "from": today.isoformat(), "to": today.isoformat()}).content.decode()
    assert "光明井盖缺失" in listed and "和平路灯不亮" not in listed
    leader = _client(client, world, "leader").get(reverse("web:dashboard")).content.decode()
    assert "光明街道" in leader and "和平街道" in leader


def test_the_dashboard_is_for_those_who_assess(client, world):
    assert _client(client, world, "handler_cg").get(reverse("web:dashboard")).status_code == 404
    client.logout()
    assert client.get(reverse("web:dashboard")).status_code == 302  # to the login page


def test_the_demands_behind_a_rate_are_those_it_is_computed_over(client, world):
    late = _do(world, "handler_cg", bring_to(world, "dispatched", title="未联系即办结"), "accept")
    _do(world, "handler_cg", late, "resolve", result="已处理")
    bring_to(world, "dispatched", title="尚未办结")
    today = timezone.localdate(clock.now()).isoformat()
    c = _client(client, world, "leader")
    resolved = c.get(reverse("web:assessment_demands"), {"figure": "resolved", "from": today, "to": today})
    assert "未联系即办结" in resolved.content.decode() and "尚未办结" not in resolved.content.decode()
    dispatched = c.get(reverse("web:assessment_demands"), {"figure": "dispatched", "from": today, "to": today})
    assert "未联系即办结" in dispatched.content.decode() and "尚未办结" in dispatched.content.decode()


def test_a_rate_links_to_its_numerator_and_to_its_failures(client, world):
    """On a day after both deadlines: the round resolved in time is in 按期办结, the one still open
    is in 超期 — and the tile's count equals the list's."""
    done = _do(world, "handler_cg", bring_to(world, "dispatched", title="按期办结的"), "accept")
    _do(world, "handler_cg", done, "resolve", result="已处理")
    open_one = bring_to(world, "dispatched", title="一直没有办结的")
    due_day = timezone.localdate(open_one.handle_due)
    c = _client(client, world, "leader")
    with clock.frozen_at(open_one.handle_due + timedelta(days=40)):
        month = f"{due_day:%Y-%m}"
        dashboard = c.get(reverse("web:dashboard"), {"month": month}).content.decode()
        assert 'data-rate="on_time"' in dashboard and "figure=overdue" in dashboard
        start, end = due_day.replace(day=1), due_day
        query = {"from": start.isoformat(), "to": (end + timedelta(days=40)).isoformat()}
        on_time = c.get(reverse("web:assessment_demands"), {"figure": "completed_on_time", **query})
        overdue = c.get(reverse("web:assessment_demands"), {"figure": "overdue", **query})
    assert "按期办结的" in on_time.content.decode() and "一直没有办结的" not in on_time.content.decode()
    assert "一直没有办结的" in overdue.content.decode() and "按期办结的" not in overdue.content.decode()
    assert "共 1 件次" in overdue.content.decode()


@pytest.mark.parametrize("query", [{"figure": "nonsense"}, {"figure": "nonsense", "format": "xlsx"},
                                   {"figure": "registered", "from": "2026-13-01", "to": "x"}, {"month": "abc"}])
def test_bad_input_is_refused_clearly(client, world, query):
    url = reverse("web:dashboard") if "month" in query else reverse("web:assessment_demands")
    response = _client(client, world, "leader").get(url, query)
    assert response.status_code == 400
    assert "error" in response.content.decode()


def test_the_formulas_are_written_out(client, world):
    page = _client(client, world, "leader").get(reverse("web:assessment_formulas")).content.decode()
    for words in ("响应率", "解决率", "满意率", "办结率", "按期办结率", "无效诉求", "合并", "挂账", "重新办理"):
        assert words in page


def test_the_assessment_table_exports_to_excel(client, world):
    bring_to(world, "dispatched")
    c = _client(client, world, "leader")
    page = c.get(reverse("web:assessment_table"), {"by": "street"})
    assert page.status_code == 200 and "光明街道" in page.content.decode()
    response = c.get(reverse("web:assessment_table"), {"by": "street", "format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(BytesIO(b"".join(response.streaming_content))).active.values)
    assert rows[0][:4] == ("排名", "街道", "件数", "受理量")
    assert rows[1][:4] == ("件数不足，不参与排名", "光明街道", 1, 1)  # one demand: below the minimum of ten
    english = c.get(reverse("web:assessment_table"), {"by": "unit", "format": "xlsx"},
                    headers={"accept-language": "en"})
    header = next(load_workbook(BytesIO(b"".join(english.streaming_content))).active.values)
    assert header[1].lower() == "handling unit"  # the reader's language, not the one at import


def test_the_monthly_report_has_its_charts_and_ranking(client, world):
    demand = _do(world, "handler_cg", bring_to(world, "dispatched"), "accept")
    _do(world, "handler_cg", demand, "resolve", result="已处理")
    c = _client(client, world, "leader")
    page = c.get(reverse("web:assessment_report")).content.decode()
    assert "<svg" in page and "光明街道" in page and "区城管局" in page
    pdf = c.get(reverse("web:assessment_report"), {"format": "pdf", "region": world.regions["s1"].pk})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")


def test_the_monthly_report_pdf_says_what_its_page_says_in_the_page_s_fonts(client, world):
    """The printed report leaves out only the charts' hover titles (a PDF cannot hover) and draws
    the charts' labels in the report's own type, so no other font is subset and embedded."""
    import re

    import pypdf

    for i in range(3):
        demand = _do(world, "handler_cg", bring_to(world, "dispatched", title=f"路灯不亮{i}"), "accept")
        if i:
            _do(world, "handler_cg", demand, "resolve", result="已处理")
    c = _client(client, world, "leader")
    page = c.get(reverse("web:assessment_report")).content.decode()
    assert "<title>" in page.split("<svg", 1)[1]  # the page keeps its tooltips
    response = c.get(reverse("web:assessment_report"), {"format": "pdf"})
    reader = pypdf.PdfReader(BytesIO(response.content))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "").replace("\n", "")
    figures = re.search(r'<table id="report-figures">(.*?)</table>', page, re.S).group(1)
    cells = [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", figures, re.S)]
    assert len(cells) > 40 and all(cell.replace(" ", "") in text for cell in cells)
    summary = re.search(r'<p class="summary" id="summary">(.*?)</p>', page, re.S).group(1)
    assert summary.replace(" ", "") in text
    fonts = {str(font["/BaseFont"]).split("+", 1)[-1] for p in reader.pages
             for font in (p["/Resources"].get("/Font") or {}).values()
             for font in [font.get_object()]}
    assert fonts and all(name.startswith(("Noto-Serif-CJK-SC", "DejaVu-Serif")) for name in fonts), fonts


def test_the_report_pdf_is_made_once_per_document_and_again_when_its_data_or_language_change(client, world, settings,
                                                                                             tmp_path):
    """A second download of an unchanged report is the stored file (the renderer is not called);
    a new demand in the month or another language is another document, rendered anew."""
    import hashlib
    from unittest import mock

    from minsheng.core import pdf

    def fake(html):
        return b"%PDF-1.7 " + hashlib.sha256(html.encode()).hexdigest().encode()

    settings.MINSHENG_PDF_CACHE_DIR = tmp_path  # a store of its own: no other test's report in it
    bring_to(world, "dispatched", title="光明井盖缺失")
    c = _client(client, world, "leader")
    url = reverse("web:assessment_report")
    with mock.patch.object(pdf, "html_to_pdf", side_effect=fake) as renderer:
        first = c.get(url, {"format": "pdf"})
        again = c.get(url, {"format": "pdf"})
        assert renderer.call_count == 1 and again.content == first.content
        assert again["Content-Type"] == "application/pdf"
        html = renderer.call_args.args[0]
        assert "首次生成于" in html and "data-pdf-volatile" in html
        english = c.get(url, {"format": "pdf"}, headers={"accept-language": "en"})
        assert renderer.call_count == 2 and english.content != first.content
        assert "First produced at" in renderer.call_args.args[0]
        bring_to(world, "dispatched", title="光明路灯不亮")
        changed = c.get(url, {"format": "pdf"})
        assert renderer.call_count == 3 and changed.content not in {first.content, english.content}
    assert "生成于" in c.get(url).content.decode()  # the page itself is made now, every time


def test_the_report_pdf_lays_its_tables_out_from_the_header_widths(client, world, settings):
    """The printed tables use the fixed layout: their columns take the widths the print rules give
    the header cells (what makes the PDF cheap to lay out), whatever the cells hold."""
    from unittest import mock

    from weasyprint import HTML
    from weasyprint.layout import table as table_layout

    from minsheng.core import pdf

    settings.MINSHENG_PDF_CACHE_MB = 0  # the HTML goes to the renderer even if a test stored its PDF
    bring_to(world, "dispatched", title="光明井盖缺失")
    with mock.patch.object(pdf, "html_to_pdf", return_value=b"%PDF-1.7") as renderer:
        _client(client, world, "leader").get(reverse("web:assessment_report"), {"format": "pdf"})
    html = HTML(string=renderer.call_args.args[0], base_url=pdf._BASE, url_fetcher=pdf._static_fetcher())
    with mock.patch.object(table_layout, "auto_table_layout", wraps=table_layout.auto_table_layout) as measured:
        document = html.render(font_config=pdf._font_config())
    assert measured.call_count == 0  # no table had every cell's content measured first
    tables = {}

    def walk(box):
        if type(box).__name__ == "TableBox":
            tables.setdefault(box.element.get("id") or box.element.get("class"), box)
        for child in getattr(box, "children", []):
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    ranking, overdue = tables["ranking"], tables["report-overdue"]
    assert [round(w / ranking.width, 3) for w in ranking.column_widths[:6]] == [0.1, 0.18, 0.06, 0.065, 0.065, 0.06]
    assert round(overdue.column_widths[1] / overdue.width, 2) == 0.44
