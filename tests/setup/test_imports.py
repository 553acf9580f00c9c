"""Set-up from an office's files: a two-district city built from the template files kept here,
then a demand run from intake to close in it, dispatched by the city centre straight to a street."""

import csv
import io
import json
import random
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from minsheng.catalogue.models import DispatchRule
from minsheng.core.errors import ValidationFailed
from minsheng.core.exports import write_xlsx
from minsheng.demands import services
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.scope import demand_filter
from minsheng.setup import imports
from minsheng.setup.imports import Kind, code_problem, import_file

FILES = Path(__file__).parent / "files"
EVERYWHERE = [""]


def _xlsx_from_csv(name: str) -> bytes:
    """A CSV kept here, as the Excel workbook an office would send (the template's header row)."""
    rows = list(csv.reader(io.StringIO((FILES / name).read_text(encoding="utf-8"))))
    target = io.BytesIO()
    write_xlsx(target, rows[0], rows[1:])
    return target.getvalue()


def _load(kind: str, name: str, *, dry_run: bool = False, paths=EVERYWHERE):
    """Load one of the files kept here; "x.csv.xlsx" is x.csv turned into a workbook."""
    if name.endswith(".csv.xlsx"):
        return import_file(kind, _xlsx_from_csv(name.removesuffix(".xlsx")), name, paths, dry_run=dry_run)
    return import_file(kind, (FILES / name).read_bytes(), name, paths, dry_run=dry_run)


def build_city():
    for kind, name in [(Kind.REGIONS, "regions.csv"), (Kind.BOUNDARIES, "grids.geojson"),
                       (Kind.UNITS, "units.csv"), (Kind.ACCOUNTS, "accounts.csv.xlsx"),
                       (Kind.CATALOGUE, "catalogue.csv")]:
        outcome = _load(kind, name)
        assert outcome.errors == [], (kind, outcome.errors)


@pytest.mark.django_db
def test_a_two_district_city_from_the_template_files_runs_a_demand_dispatched_straight_to_a_street():
    build_city()
    city = Region.objects.get(code="210400")
    assert city.kind == "city"
    assert set(Region.objects.filter(parent=city).values_list("code", flat=True)) == {"210402", "210403"}
    grid = Region.objects.get(code="G-210403002001-01")
    assert grid.boundary[0][0] == [123.95, 41.86] and grid.path.startswith(city.path)
    assert Region.objects.get(code="B-210403002001-01-1").parent == grid
    assert Membership.objects.get(user__username="bh-grid").region == grid
    users = get_user_model().objects
    assert users.get(username="sf-dispatcher").check_password("Kaitong-2026-pw")

    demand = services.register_demand(
        users.get(username="sf-operator"), channel="hotline", demand_type="complaint", title="河东路占道停车",
        description="河东路每天晚上有车辆占用消防通道停车，请处理。", region=grid, category="transport.parking",
        reporter=services.ReporterInput(name="张伟", phone="13700001234"))
    dispatcher = users.get(username="sf-dispatcher")
    demand = services.verify_demand(dispatcher, demand.pk, demand.version)
    demand = services.dispatch_demand(users.get(username="sf-dispatcher"), demand.pk, demand.version)
    street_office = Unit.objects.get(code="SF-DZ-HD")
    assert demand.handling_unit == street_office  # the catalogue's street rule, from the city centre
    handler = users.get(username="hd-handler")
    demand = services.accept_demand(handler, demand.pk, demand.version)
    demand = services.resolve_demand(users.get(username="hd-handler"), demand.pk, demand.version,
                                     result="已联系车主挪车并设置禁停标志")
    demand = services.revisit_demand(users.get(username="sf-operator"), demand.pk, demand.version,
                                     satisfaction="satisfied", solved="solved")
    demand = services.close_demand(users.get(username="sf-operator"), demand.pk, demand.version)
    assert demand.state == "closed"
    assert demand.events.filter(action="dispatch", actor__username="sf-dispatcher").exists()
    assert visible_to(users.get(username="dz-leader"), demand) and visible_to(
        users.get(username="sf-leader"), demand)


def visible_to(user, demand) -> bool:
    return type(demand).objects.filter(demand_filter(user), pk=demand.pk).exists()


@pytest.mark.django_db
def test_importing_the_same_files_again_updates_in_place_instead_of_duplicating():
    build_city()
    counts = (Region.objects.count(), Unit.objects.count(), Membership.objects.count(),
              DispatchRule.objects.count(), get_user_model().objects.count())
    for kind, name in [(Kind.REGIONS, "regions.csv"), (Kind.BOUNDARIES, "grids.geojson"),
                       (Kind.UNITS, "units.csv"), (Kind.ACCOUNTS, "accounts.csv.xlsx"),
                       (Kind.CATALOGUE, "catalogue.csv")]:
        outcome = _load(kind, name)
        assert outcome.errors == [] and outcome.count("create") == 0 and outcome.count("update") == 0, kind
    assert counts == (Region.objects.count(), Unit.objects.count(), Membership.objects.count(),
                      DispatchRule.objects.count(), get_user_model().objects.count())
    renamed = (FILES / "units.csv").read_text(encoding="utf-8").replace("河东街道办事处", "河东街道办")
    outcome = import_file(Kind.UNITS, renamed.encode("gb18030"), "units.csv", EVERYWHERE, dry_run=False)
    assert outcome.count("update") == 1 and outcome.changes[5]["fields"] == ["名称"]
    assert Unit.objects.get(code="SF-DZ-HD").name == "河东街道办" and Unit.objects.count() == counts[1]


@pytest.mark.django_db
def test_a_dry_run_writes_nothing_and_one_bad_row_keeps_the_whole_file_out():
    outcome = _load(Kind.REGIONS, "regions.csv", dry_run=True)
    assert outcome.errors == [] and outcome.count("create") == 7
    assert not Region.objects.exists()
    text = (FILES / "regions.csv").read_text(encoding="utf-8").replace("210403002001,滨河社区", "21040300200,滨河社区")
    outcome = import_file(Kind.REGIONS, text.encode(), "regions.csv", EVERYWHERE, dry_run=False)
    assert [(e["row"], e["column"]) for e in outcome.errors] == [(8, "区划代码")]
    assert "十二位" in outcome.errors[0]["message"]
    assert not Region.objects.exists()


@pytest.mark.django_db
def test_row_errors_name_their_row_and_column():
    build_city()
    text = "\n".join([
        "单位编码,单位名称,单位类型,所在区域代码,上级单位编码,联系电话,启用",
        "X1,某单位,不存在的类型,210402,,,是",
        "X2,某街道办,街道办事处,210402,,,是",  # a street office must sit in a street
        "X3,某部门,职能部门,999999,,,是",
        "X4,某部门,职能部门,210402,NOPE,,是",
        "X5,某部门,职能部门,210402,,abc,是",
        "X6,某部门,职能部门,210402,,,也许",
        ",缺编码,职能部门,210402,,,是",
    ])
    outcome = import_file(Kind.UNITS, text.encode(), "units.csv", EVERYWHERE, dry_run=True)
    assert [(e["row"], e["column"]) for e in outcome.errors] == [
        (2, "单位类型"), (3, "所在区域代码"), (4, "所在区域代码"), (5, "上级单位编码"), (6, "联系电话"), (7, "启用"),
        (8, "单位编码")]


@pytest.mark.django_db
def test_an_administrator_imports_only_inside_her_territory():
    build_city()
    admin = get_user_model().objects.get(username="dz-admin")
    from minsheng.setup.access import territory_paths

    paths = territory_paths(admin)
    assert paths == [Region.objects.get(code="210403").path]
    outcome = _load(Kind.CATALOGUE, "catalogue.csv", paths=paths)
    assert [(e["row"], e["column"]) for e in outcome.errors] == [(2, "区域代码")]  # 新城区 is not hers
    outcome = _load(Kind.REGIONS, "regions.csv", paths=paths, dry_run=True)
    # the city, 新城区 and its street and community; 东洲区 itself keeps its parent
    assert {e["row"] for e in outcome.errors} == {2, 3, 5, 7}


def test_national_division_codes_are_checked_with_their_parents():
    rng = random.Random()
    district = Region(kind="district", code=f"2104{rng.randint(1, 99):02d}")
    assert code_problem("district", district.code, Region(kind="city", code="210400")) == ""
    assert code_problem("district", "210400", None)  # ends in 00: a city's code
    assert code_problem("district", "990101", None)  # no such province
    assert code_problem("district", "220101", Region(kind="city", code="210400"))  # another city's
    street = f"{district.code}{rng.randint(1, 999):03d}000"
    assert code_problem("street", street, district) == ""
    assert code_problem("street", f"{district.code}000000", district)
    assert code_problem("community", f"{street[:9]}{rng.randint(1, 999):03d}", Region(code=street)) == ""
    assert code_problem("community", street, Region(code=street))  # ends in 000: a street's code
    assert code_problem("community", f"110101001{rng.randint(1, 999):03d}", Region(code=street))
    assert code_problem("grid", "G 1", None) and code_problem("grid", "G-1", None) == ""


@pytest.mark.parametrize(("geometry", "needle"), [
    ({"type": "Point", "coordinates": [1, 2]}, "Polygon"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0.5]]]}, "闭合"),
    ({"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}, "无效"),  # a bow tie
    ({"type": "Polygon", "coordinates": [[[41.8, 123.9], [41.9, 123.9], [41.9, 124.0], [41.8, 123.9]]]}, "范围"),
    ({"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]],
                                              [[[2, 2], [3, 2], [3, 3], [2, 2]]]]}, "一个多边形"),
])
def test_a_boundary_must_be_one_valid_closed_polygon_in_longitude_latitude(geometry, needle):
    with pytest.raises(ValueError, match=needle):
        imports.polygon_coordinates(geometry)


@pytest.mark.django_db
def test_the_command_dry_runs_and_reports_row_errors(tmp_path, capsys):
    call_command("import_setup", "regions", str(FILES / "regions.csv"), "--dry-run")
    assert "7" in capsys.readouterr().out and not Region.objects.exists()
    call_command("import_setup", "regions", str(FILES / "regions.csv"))
    assert Region.objects.count() == 7
    bad = tmp_path / "grids.geojson"
    document = json.loads((FILES / "grids.geojson").read_text(encoding="utf-8"))
    document["features"][1]["properties"]["parent"] = "NOWHERE"
    bad.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError, match="2 行"):  # the grid, and the building in it
        call_command("import_setup", "boundaries", str(bad))
    assert "第 2 行，上级代码" in capsys.readouterr().err
    assert not Region.objects.filter(kind="grid").exists()  # the good features stay out too


@pytest.mark.django_db
def test_a_file_saved_from_the_english_template_reads_the_same():
    build_city()
    text = "Category code,Region code,Handling unit code,Handling time limit\nhealth,210403,SF-DZ-HD,General\n"
    outcome = import_file(Kind.CATALOGUE, text.encode(), "catalogue.csv", EVERYWHERE, dry_run=False)
    assert outcome.errors == []
    rule = DispatchRule.objects.get(category__code="health")
    assert (rule.region.code, rule.unit.code, rule.time_limit.code) == ("210403", "SF-DZ-HD", "general")
    with pytest.raises(ValidationFailed, match="承办单位编码"):
        import_file(Kind.CATALOGUE, b"Category code,Region code\nhealth,210403\n", "c.csv", EVERYWHERE, dry_run=True)
    with pytest.raises(ValidationFailed, match="Time limit"):  # a misnamed column is refused, not dropped
        import_file(Kind.CATALOGUE, text.replace("Handling time limit", "Time limit").encode(), "c.csv",
                    EVERYWHERE, dry_run=True)
