"""Excel exports and printable PDFs, the two ways every list and report leaves the product."""

import io
import logging
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
    assert sheet.column_dimensions["A"].width == 18 and sheet.column_dimensions["C"].width == 26


def test_only_the_header_and_texts_that_read_as_error_codes_get_a_cell_object():
    """A cell object per value was a third of a large export's time; plain values are typed by
    openpyxl alike, and a text that would read as an error code stays text."""
    from unittest import mock

    from minsheng.core import exports

    out = io.BytesIO()
    made = []
    real = exports.WriteOnlyCell

    def counting(*args, **kwargs):
        made.append(real(*args, **kwargs))
        return made[-1]

    rows = [[f"2026112300000{i}", i, 1.5 * i, datetime(2026, 11, 23, 8, i), "坏\x01字", "#N/A"] for i in range(5)]
    with mock.patch.object(exports, "WriteOnlyCell", counting):
        write_xlsx(out, ["编号", "件数", "金额", "时间", "备注", "代码"], rows)
    assert len(made) == 6 + 5  # the bold headers and the five "#N/A" texts
    sheet = load_workbook(io.BytesIO(out.getvalue())).active
    assert sheet["A1"].font.bold and not sheet["A2"].font.bold
    assert sheet["F2"].value == "#N/A" and sheet["F2"].data_type == "s"
    assert sheet["E2"].value == "坏字" and sheet["C3"].value == 1.5
    assert sheet["D2"].value == datetime(2026, 11, 23, 8, 0)
