"""The administrators' set-up pages: upload → preview → apply, the templates, the go-live checklist."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from minsheng.catalogue.models import Category, DispatchRule
from minsheng.organisation.models import Membership, Region, SetupImport, Unit
from minsheng.setup import imports
from minsheng.setup.checklist import checklist

from .test_imports import FILES, build_city

pytestmark = pytest.mark.django_db


def _items(paths):
    return {i.key: i for i in checklist(paths)}


def test_the_checklist_counts_each_gap_in_the_territory_and_clears_when_it_is_filled():
    build_city()
    everywhere = _items([""])
    district = Region.objects.get(code="210403")
    own = _items([district.path])
    assert everywhere["grids"].count == 1 and own["grids"].count == 0  # 新城区's grid has no worker
    assert {g.label for g in everywhere["units"].gaps} == {"新城区接诉即办中心", "新城区城管局", "光明街道办事处"}
    assert own["units"].count == 0
    assert everywhere["revisits"].count == 0  # the city centre's operator covers both districts
    assert everywhere["boundaries"].count == 0
    parking = Category.objects.get(code="transport.parking")
    name = f"{parking.parent.name}·{parking.name}"
    # 河东街道 has its parking rule; 光明街道 has none
    assert any(g.label.startswith(f"{name}：光明街道") for g in everywhere["catalogue"].gaps)
    assert not any(g.label.startswith(name) for g in own["catalogue"].gaps)
    before = own["catalogue"].count
    DispatchRule.objects.create(category=Category.objects.get(code="health"), region=district,
                                unit=Unit.objects.get(code="SF-DZ-HD"))
    health_leaves = Category.objects.filter(path__startswith=Category.objects.get(code="health").path,
                                            active=True).exclude(code="health").count() or 1
    assert _items([district.path])["catalogue"].count == before - health_leaves
    Membership.objects.filter(user__username="sf-operator").update(active=False)
    assert _items([""])["revisits"].count == 2


def test_an_administrator_previews_a_bad_file_then_applies_a_good_one(client):
    build_city()
    admin = get_user_model().objects.get(username="dz-admin")
    client.force_login(admin)
    bad = (FILES / "catalogue.csv").read_text(encoding="utf-8")
    response = client.post(reverse("setup:import"), {
        "kind": "catalogue", "file": SimpleUploadedFile("catalogue.csv", bad.encode())})
    batch = SetupImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("setup:import_preview", args=[batch.pk])
    page = client.get(response.url).content.decode()
    assert "不在你的管辖范围内" in page and 'id="setup-errors"' in page and "import_apply" not in page
    assert client.post(reverse("setup:import_apply", args=[batch.pk])).status_code == 302
    batch.refresh_from_db()
    assert batch.status == "previewed"  # refused whole

    good = "\n".join(["诉求分类编码,区域代码,承办单位编码,办理时限", "health,210403,SF-DZ-HD,一般"])
    client.post(reverse("setup:import"), {"kind": "catalogue", "file": SimpleUploadedFile("c.csv", good.encode())})
    batch = SetupImport.objects.latest("pk")
    page = client.get(reverse("setup:import_preview", args=[batch.pk])).content.decode()
    assert "health · 210403" in page and not DispatchRule.objects.filter(category__code="health").exists()
    client.post(reverse("setup:import_apply", args=[batch.pk]))
    assert DispatchRule.objects.get(category__code="health").unit.code == "SF-DZ-HD"
    assert client.post(reverse("setup:import_apply", args=[batch.pk])).status_code == 302  # applied once only
    assert DispatchRule.objects.filter(category__code="health").count() == 1


def test_someone_else_s_import_and_the_pages_are_closed_to_other_roles(client):
    build_city()
    client.force_login(get_user_model().objects.get(username="dz-admin"))
    client.post(reverse("setup:import"), {"kind": "units", "file": SimpleUploadedFile(
        "units.csv", (FILES / "units.csv").read_bytes())})
    batch = SetupImport.objects.get()
    client.force_login(get_user_model().objects.get(username="sf-dispatcher"))
    assert client.get(reverse("setup:checklist")).status_code == 404
    assert client.get(reverse("setup:import")).status_code == 404
    client.force_login(get_user_model().objects.get(username="sf-leader"))
    assert client.get(reverse("setup:import_preview", args=[batch.pk])).status_code == 404


def test_each_template_downloads_with_the_columns_the_import_reads(client, admin_user):
    client.force_login(admin_user)
    for kind in ("regions", "units", "accounts", "catalogue"):
        response = client.get(reverse("setup:template", args=[kind]))
        sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True).worksheets[0]
        assert [c for c in next(sheet.iter_rows(values_only=True))] == imports.headers(kind)
    geojson = client.get(reverse("setup:template", args=["boundaries"])).content
    assert imports.parse("boundaries", geojson, "b.geojson").errors == []
    assert client.get(reverse("setup:template", args=["nothing"])).status_code == 404


def test_the_checklist_page_links_only_to_pages_that_open(client):
    build_city()
    admin = get_user_model().objects.create_superuser("root", password="pw-root-2026")
    client.force_login(admin)
    page = client.get(reverse("setup:checklist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "上线检查" in text and 'id="sms"' in text
    for item in page.context["items"]:
        urls = [item.fix_url] + [g.url for g in item.gaps if g.url]
        for url in urls:
            if not url.startswith("#"):
                assert client.get(url).status_code == 200, url
    assert reverse("setup:checklist") in client.get(reverse("web:queue")).content.decode()
