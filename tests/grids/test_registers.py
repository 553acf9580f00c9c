"""Registers: an Excel import is previewed with each bad row's reason and imported whole or not at all;
duplicates update the record they match, with history; search is by name, phone or address, in scope."""

import io

import pytest
from openpyxl import Workbook

from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.grids import registers
from minsheng.grids.models import Enterprise, House, RegisterChange, RegisterImport
from minsheng.organisation.models import Region
from minsheng.people.models import PersonalDataAccess, Resident

pytestmark = pytest.mark.django_db

RESIDENT_HEADERS = ["姓名", "联系电话", "身份证号", "住址", "网格或楼栋编码", "困难群体"]


def workbook(headers, rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    data.name = "台账.xlsx"
    return data


@pytest.fixture
def building(world):
    return Region.objects.create(kind="building", name="幸福里1号楼", code="g1-b1", parent=world.regions["g1"])


def test_bad_rows_are_listed_and_nothing_is_imported(world, building):
    before = Resident.objects.count()
    file = workbook(RESIDENT_HEADERS, [
        ["张三", "13811112222", "", "幸福里1号楼101", "g1-b1", "独居老人"],
        ["李四", "12345", "", "", "g1", ""],  # not a phone number
        ["王五", "13811113333", "", "", "nowhere", ""],  # no such region
        ["赵六", "13811114444", "", "", "g2", ""],  # another community's grid
        ["", "13811115555", "", "", "g1", ""],  # no name
        ["钱七", "13811116666", "", "", "g1", "外星人"],  # unknown group
    ])
    batch = registers.preview_import(world.user("gridworker"), "resident", file)
    assert [(e["row"], e["field"]) for e in batch.errors] == [
        (3, "phone"), (4, "region"), (5, "region"), (6, "name"), (7, "tags")]
    assert "不在你的管辖范围内" in batch.errors[2]["message"]
    assert len(batch.rows) == 1
    with pytest.raises(ValidationFailed) as err:
        registers.commit_import(world.user("gridworker"), batch.pk)
    assert "5 行" in err.value.message
    assert Resident.objects.count() == before
    assert RegisterImport.objects.get(pk=batch.pk).status == "previewed"


def test_a_clean_file_is_imported_with_tags_and_history(world, building):
    file = workbook(RESIDENT_HEADERS, [
        ["张三", "138 1111 2222", "11010519491231002X", "幸福里1号楼101", "g1-b1", "独居老人、残疾"],
        ["李四", 13811113333, "", "幸福里1号楼102", "g1-b1", ""],  # a phone typed as a number
    ])
    batch = registers.commit_import(world.user("gridworker"),
                                    registers.preview_import(world.user("gridworker"), "resident", file).pk)
    assert (batch.created, batch.updated, batch.status) == (2, 0, "imported")
    zhang = Resident.objects.get(phone="13811112222")
    assert zhang.region == building and {t.code for t in zhang.tags.all()} == {"elderly_alone", "disabled"}
    assert Resident.objects.filter(phone="13811113333", name="李四").exists()
    history = list(registers.history_of("resident", zhang.pk))
    assert len(history) == 1 and history[0].changes["name"] == [None, "张三"]
    assert history[0].changed_by == world.users["gridworker"]
    assert zhang.id_number == "11010519491231002X"
    assert history[0].changes["id_number"] == [None, "110105********002X"]  # the history keeps it masked
    with pytest.raises(ValidationFailed):
        registers.commit_import(world.user("gridworker"), batch.pk)  # not twice


def test_duplicates_are_found_in_the_file_and_in_the_register(world, building):
    existing = Resident.objects.get(phone="13900001111")  # 李秀英 of the test world
    file = workbook(RESIDENT_HEADERS, [
        ["李秀英", "13900001111", "", "幸福里1号楼301", "g1-b1", ""],  # already registered
        ["孙八", "13811117777", "", "", "g1", ""],
        ["孙八", "13811117777", "", "", "g1", ""],  # the same phone twice in the file
    ])
    batch = registers.preview_import(world.user("staff1"), "resident", file)
    assert batch.errors == [{"row": 4, "field": "phone", "message": "与第 3 行重复。"}]
    assert [r["existing"] for r in batch.rows] == [existing.pk, None]

    file = workbook(RESIDENT_HEADERS, [["李秀英", "13900001111", "", "幸福里1号楼301", "g1-b1", ""],
                                       ["孙八", "13811117777", "", "", "g1", ""]])
    batch = registers.commit_import(world.user("staff1"),
                                    registers.preview_import(world.user("staff1"), "resident", file).pk)
    assert (batch.created, batch.updated) == (1, 1)
    existing.refresh_from_db()
    assert existing.address == "幸福里1号楼301" and existing.region == building
    assert existing.tags.filter(code="elderly_alone").exists()  # an empty cell keeps what is known
    change = registers.history_of("resident", existing.pk).first()
    assert change.changes["address"] == ["", "幸福里1号楼301"]
    assert change.changes["region_id"] == [world.regions["g1"].pk, building.pk]
    (_change, items), = registers.readable_history("resident", existing.pk)
    assert ("所属区域", "玫瑰城第一网格", "幸福里1号楼") in items and ("住址", "", "幸福里1号楼301") in items


def test_an_id_number_registered_under_another_phone_is_an_error(world):
    Resident.objects.create(name="周九", phone="13811118888", id_number="11010519491231002X")
    file = workbook(RESIDENT_HEADERS, [["周九", "13811119999", "11010519491231002X", "", "g1", ""]])
    batch = registers.preview_import(world.user("staff1"), "resident", file)
    assert batch.errors[0]["field"] == "id_number" and not batch.rows


def test_houses_and_enterprises(world, building):
    houses = workbook(["楼栋编码", "房号", "居住状态", "面积", "户主", "联系电话"], [
        ["g1-b1", "1单元101", "出租", 86.5, "张三", "13811112222"],
        ["g1-b1", "1单元102", "空置", "", "", ""],
        ["g1", "1单元103", "", "", "", ""],  # a grid is not a building
        ["g1-b1", "1单元104", "借住", "", "", ""],  # no such occupancy
    ])
    batch = registers.preview_import(world.user("gridworker"), "house", houses)
    assert [(e["row"], e["field"]) for e in batch.errors] == [(4, "building"), (5, "occupancy")]
    fixed = workbook(["楼栋编码", "房号", "居住状态", "面积", "户主", "联系电话"], [
        ["g1-b1", "1单元101", "出租", 86.5, "张三", "13811112222"], ["g1-b1", "1单元102", "空置", "", "", ""]])
    registers.commit_import(world.user("gridworker"), registers.preview_import(world.user("gridworker"), "house",
                                                                               fixed).pk)
    house = House.objects.get(room="1单元101")
    assert house.occupancy == "rented" and str(house.area) == "86.50"
    again = registers.preview_import(world.user("gridworker"), "house", workbook(
        ["楼栋编码", "房号", "居住状态", "面积", "户主", "联系电话"], [["g1-b1", "1单元101", "自住", "", "", ""]]))
    assert again.rows[0]["existing"] == house.pk

    enterprises = workbook(["网格或楼栋编码", "名称", "统一社会信用代码", "地址", "联系人", "联系电话"], [
        ["g1", "玫瑰城便利店", "91110000600037341L", "幸福里底商3号", "王老板", "13811110000"],
        ["g1", "假公司", "911100006000373410", "", "", ""],  # bad check digit
    ])
    batch = registers.preview_import(world.user("gridworker"), "enterprise", enterprises)
    assert [(e["row"], e["field"]) for e in batch.errors] == [(3, "credit_code")]
    assert not Enterprise.objects.exists()


def test_not_a_workbook_and_missing_columns_are_refused(world):
    with pytest.raises(ValidationFailed) as err:
        registers.preview_import(world.user("gridworker"), "resident", io.BytesIO(b"name,phone\n"))
    assert "xlsx" in err.value.message
    with pytest.raises(ValidationFailed) as err:
        registers.preview_import(world.user("gridworker"), "resident", workbook(["姓名", "电话"], [["a", "b"]]))
    assert "联系电话" in err.value.message
    with pytest.raises(PermissionDenied):
        registers.preview_import(world.user("handler_cg"), "resident", workbook(RESIDENT_HEADERS, []))


def test_search_by_name_phone_or_address_within_scope(world, building):
    Resident.objects.create(name="张三", phone="13811112222", address="幸福里1号楼101", region=building)
    Resident.objects.create(name="张三丰", phone="13811113333", address="雷锋小区2号楼", region=world.regions["g2"])
    staff1, district = world.user("staff1"), world.user("leader")
    assert [r.name for r in registers.search_register(staff1, "resident", "张三")] == ["张三"]
    assert {r.name for r in registers.search_register(district, "resident", "张三")} == {"张三", "张三丰"}
    assert [r.name for r in registers.search_register(staff1, "resident", "张三2222")] == ["张三"]
    assert [r.name for r in registers.search_register(staff1, "resident", "13811112222")] == ["张三"]
    assert [r.name for r in registers.search_register(staff1, "resident", "幸福里")] == ["张三"]
    assert not registers.search_register(world.user("staff2"), "resident", "幸福里").exists()
    assert not registers.search_register(world.user("handler_cg"), "resident", "").exists()


def test_register_pages_mask_and_log_every_reveal(world, client, building):
    zhang = Resident.objects.create(name="张三", phone="13811112222", id_number="11010519491231002X",
                                    region=building)
    client.force_login(world.user("gridworker"))
    page = client.get("/work/grids/registers/", {"q": "张三"})
    assert "138****2222" in page.content.decode() and "13811112222" not in page.content.decode()
    record = client.get(f"/work/grids/registers/resident/{zhang.pk}/")
    assert "13811112222" not in record.content.decode()
    assert not PersonalDataAccess.objects.exists()
    revealed = client.post(f"/work/grids/registers/resident/{zhang.pk}/reveal/")
    assert "13811112222" in revealed.content.decode() and "11010519491231002X" in revealed.content.decode()
    access = PersonalDataAccess.objects.get()
    assert access.resident == zhang and access.viewer == world.users["gridworker"]
    client.force_login(world.user("staff2"))
    assert client.post(f"/work/grids/registers/resident/{zhang.pk}/reveal/").status_code == 403
    assert PersonalDataAccess.objects.count() == 1


def test_the_import_pages_preview_errors_and_import(world, client, building):
    client.force_login(world.user("staff1"))
    bad = workbook(RESIDENT_HEADERS, [["张三", "13811112222", "", "", "g1-b1", ""], ["李四", "123", "", "", "g1", ""]])
    response = client.post("/work/grids/registers/import/", {"entity": "resident", "file": bad}, follow=True)
    text = response.content.decode()
    assert "以下各行有错误" in text and "不是有效的手机号码" in text and "确认导入" not in text
    good = workbook(RESIDENT_HEADERS, [["张三", "13811112222", "", "", "g1-b1", ""]])
    response = client.post("/work/grids/registers/import/", {"entity": "resident", "file": good}, follow=True)
    assert "确认导入 1 行" in response.content.decode()
    batch = RegisterImport.objects.latest("pk")
    response = client.post(f"/work/grids/registers/import/{batch.pk}/commit/", follow=True)
    assert "新增 1 条" in response.content.decode()
    assert Resident.objects.filter(phone="13811112222").exists()
    assert RegisterChange.objects.filter(entity="resident").count() == 1
    template = client.get("/work/grids/registers/template/house.xlsx")
    assert template.status_code == 200 and template["Content-Type"].startswith("application/vnd.openxml")


def test_a_large_house_register_is_matched_in_chunks(world, building):
    header = ["楼栋编码", "房号", "居住状态", "面积", "户主", "联系电话"]
    rows = [["g1-b1", f"{i // 100 + 1}单元{i % 100 + 101}", "", "", "", ""] for i in range(2100)]
    user = world.user("gridworker")
    first = registers.commit_import(user, registers.preview_import(user, "house", workbook(header, rows)).pk)
    assert first.created == 2100
    rows[0][2] = "出租"
    again = registers.preview_import(user, "house", workbook(header, rows))
    assert not again.errors and all(r["existing"] for r in again.rows)
    assert registers.commit_import(user, again.pk).updated == 1


def test_an_import_cannot_take_over_a_record_registered_outside_the_importers_area(world):
    # 李秀英 lives in 玫瑰城 (c1); a 雷锋社区 (c2) keeper types her phone into a row of their own grid.
    neighbour = Resident.objects.create(name="李秀英", phone="13900007777", region=world.regions["g1"])
    file = workbook(RESIDENT_HEADERS, [["冒名", "13900007777", "", "雷锋小区1号", "g2", ""]])
    batch = registers.preview_import(world.user("staff2"), "resident", file)
    assert [(e["row"], e["field"]) for e in batch.errors] == [(2, "phone")]
    assert "管辖范围外" in batch.errors[0]["message"]
    with pytest.raises(ValidationFailed):
        registers.commit_import(world.user("staff2"), batch.pk)
    neighbour.refresh_from_db()
    assert (neighbour.name, neighbour.region_id) == ("李秀英", world.regions["g1"].pk)
