"""Excel exports and printable PDFs, the two ways every list and report leaves the product."""

import io
import logging
import tempfile
import zipfile
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from minsheng.core.exports import write_xlsx, xlsx_response
from minsheng.core.pdf import html_to_pdf


def test_an_export_keeps_text_as_text_and_shows_beijing_time():
    out = io.BytesIO()
    at = datetime(2026, 11, 23, 1, 30, tzinfo=ZoneInfo("UTC"))
    count = write_xlsx(out, ["编号", "内容", "时间", "件数"],
                       [["20261123000001", "=HYPERLINK(\"http://x\")", at, 3], ["20261123000002", "坏\x00字", None, 0]],
                       sheet_title="诉求列表")
    assert count == 2
    sheet = load_workbook(io.BytesIO(out.getvalue()))["诉求列表"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("编号", "内容", "时间", "件数")
    assert rows[1][1] == "'=HYPERLINK(\"http://x\")" and sheet["B2"].data_type == "s"
    assert rows[1][2] == datetime(2026, 11, 23, 9, 30)
    assert rows[2] == ("20261123000002", "坏字", None, 0)


def test_a_download_is_named_and_typed():
    response = xlsx_response("诉求列表.xlsx", ["a"], iter([[1], [2]]))
    body = b"".join(response.streaming_content)
    assert body[:2] == b"PK"
    assert "filename*=utf-8''%E8%AF%89" in response["Content-Disposition"]


def test_a_pdf_uses_the_products_own_static_files_and_nothing_else(caplog):
    caplog.set_level(logging.WARNING, logger="weasyprint")
    pdf = html_to_pdf('<link rel="stylesheet" href="/static/web/minsheng.css"><h1>月报</h1>')
    assert pdf.startswith(b"%PDF")
    assert not [r for r in caplog.records if "Failed to load" in r.getMessage()]  # the stylesheet was read
    # An outside address is not fetched: WeasyPrint reports the refusal and goes on without it.
    assert html_to_pdf('<img src="http://example.com/x.png"><p>无外部资源</p>').startswith(b"%PDF")
    assert any("example.com" in r.getMessage() for r in caplog.records)


def test_a_qr_code_encodes_the_address_it_is_given():
    from minsheng.core.qr import qr_svg

    svg = qr_svg("https://example.org/stations/7/", title="玫瑰城代办站")
    assert svg.startswith("<svg") and "玫瑰城代办站" in svg
    assert qr_svg("https://example.org/stations/7/") != qr_svg("https://example.org/stations/8/")


def test_a_sheet_has_its_header_frozen_a_filter_and_readable_widths(tmp_path):
    from openpyxl import load_workbook

    from minsheng.core.exports import write_xlsx

    target = tmp_path / "t.xlsx"
    write_xlsx(target, ["工单编号", "title", "承办单位名称较长的一列"], [["2026120100001", "井盖", "区城管局"]] * 3)
    sheet = load_workbook(target).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:C4"
    # Widths in Excel's units, as its column width box shows them: the file stores them with the
    # cell's padding (5 pixels of 7 to a character) added.
    shown = {letter: round(sheet.column_dimensions[letter].width - 5 / 7, 1) for letter in "AC"}
    assert shown == {"A": 18, "C": 26}


def test_every_value_is_written_with_its_own_type():
    """Texts are always texts (never a formula, a link, a number or an error value), numbers
    numbers, dates dates with a readable format, None an empty cell; the header is bold."""
    from datetime import date
    from decimal import Decimal
    from enum import IntEnum

    from django.utils.translation import gettext_lazy

    class Level(IntEnum):
        HIGH = 3

    out = io.BytesIO()
    rows = [[f"2026112300000{i}", i, 1.5 * i, datetime(2026, 11, 23, 8, i), "坏\x01字", "#N/A"] for i in range(5)]
    rows.append(["http://example.org/x", Decimal("12.50"), True, date(2026, 11, 23), "13812341234", "#DIV/0!"])
    rows.append([gettext_lazy("待受理"), Level.HIGH, None, None, "_x0041_", "1E3"])
    assert write_xlsx(out, ["编号", "件数", "金额", "时间", "备注", "代码"], rows) == 7
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet["F2"].value == "#N/A" and sheet["F2"].data_type == "s"
    assert sheet["F7"].value == "#DIV/0!" and sheet["F7"].data_type == "s"
    assert sheet["E2"].value == "坏字" and sheet["C3"].value == 1.5 and sheet["B3"].value == 1
    assert sheet["D2"].value == datetime(2026, 11, 23, 8, 0) and sheet["D2"].number_format == "yyyy-mm-dd h:mm:ss"
    assert sheet["D7"].is_date and sheet["D7"].number_format == "yyyy-mm-dd"
    assert sheet["A7"].value == "http://example.org/x" and sheet["A7"].hyperlink is None
    assert sheet["B7"].value == 12.5 and sheet["B7"].data_type == "n"
    assert sheet["C7"].value is True
    assert [sheet["E7"].value, sheet["F8"].value] == ["13812341234", "1E3"]
    assert all(sheet[ref].data_type == "s" for ref in ("E7", "E8", "F8", "A8"))
    assert sheet["A8"].value == "待受理" and sheet["B8"].value == 3
    assert sheet["C8"].value is None and sheet["D8"].value is None
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "hyperlink" not in xml  # no formula, no link anywhere
    # A typed "_x0041_" is escaped as Excel does it (Excel would show "A" for the bare one).
    assert "<t>_x005F_x0041_</t>" in xml


def test_a_text_that_looks_like_the_files_own_markup_stays_text():
    """XlsxWriter writes a text between <r> and </r> as raw rich-text XML in constant_memory mode;
    the export writes it escaped, so the workbook opens and the cell says what was typed."""
    typed = '<r><t>假</t></r><x a="1"></r>'  # raw, this would break the sheet's XML
    looks_rich = "<r><rPr><b/></rPr><t>加粗</t></r>"
    out = io.BytesIO()
    too_long = "<r>" + "长" * 40_000 + "</r>"
    write_xlsx(out, ["内容"], [[typed], [looks_rich], ["<r>"], [too_long]])
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    values = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
    assert values == [typed, looks_rich, "<r>", too_long[:32_767]]


def test_control_characters_are_dropped_before_a_text_is_neutralised():
    out = io.BytesIO()
    write_xlsx(out, ["备\x02注"], [["\x01=1+1"], ["\x00\x08\x0b\x0c\x0e\x1f"], ["行一\n行二"]])
    values = [r[0] for r in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(values_only=True)]
    assert values == ["备注", "'=1+1", "", "行一\n行二"]


def test_a_forms_line_breaks_read_back_as_line_feeds():
    """A textarea sends "\\r\\n"; the export (and an article's export read back by the import)
    has "\\n", as every reader had it from the workbooks openpyxl wrote."""
    out = io.BytesIO()
    write_xlsx(out, ["内容"], [["第一行\r\n第二行\r第三行"], ["\r=1"]])
    for read_only in (True, False):
        sheet = load_workbook(io.BytesIO(out.getvalue()), read_only=read_only).active
        values = [r[0] for r in sheet.iter_rows(min_row=2, values_only=True)]
        assert values == ["第一行\n第二行\n第三行", "'\n=1"]


def test_a_sheet_title_is_one_excel_accepts():
    out = io.BytesIO()
    write_xlsx(out, ["a"], [], sheet_title="'第一/二季度:统计[汇总]*?' 这是一个很长很长很长很长很长很长很长很长的标题")
    title = load_workbook(io.BytesIO(out.getvalue())).active.title
    assert title == "第一_二季度_统计_汇总___' 这是一个很长很长很长很长很长很长很"[:31] and len(title) == 31
    out = io.BytesIO()
    write_xlsx(out, ["a"], [], sheet_title="")
    assert load_workbook(io.BytesIO(out.getvalue())).active.title == "Sheet1"


def test_more_rows_than_a_sheet_holds_are_refused_and_the_spool_is_removed(tmp_path, monkeypatch):
    import pytest

    from minsheng.core import exports

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(exports, "MAX_ROWS", 4)
    target = tmp_path / "full.xlsx"
    assert write_xlsx(target, ["a"], [[i] for i in range(3)]) == 3
    with pytest.raises(ValueError):
        write_xlsx(tmp_path / "over.xlsx", ["a"], ([i] for i in range(4)))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.xlsx"]  # no spool left, nothing written
