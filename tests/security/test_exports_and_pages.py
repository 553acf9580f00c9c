"""Exports neutralise formulas, maps bind names as text, photos are checked before decoding,
Open311's public view hides what a submitter attached (issue #24, item 10)."""

import io
import re
from pathlib import Path

from openpyxl import load_workbook

from minsheng.core.exports import write_xlsx

STATIC = Path(__file__).resolve().parents[2] / "src" / "minsheng"


def test_export_cells_that_look_like_formulas_are_neutralised():
    out = io.BytesIO()
    texts = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=x", "普通文字", "13812341234"]
    write_xlsx(out, ["内容"], [[t] for t in texts])
    values = [r[0] for r in load_workbook(io.BytesIO(out.getvalue())).active.iter_rows(min_row=2, values_only=True)]
    assert values == ["'=1+1", "'+SUM(A1)", "'-2+3", "'@cmd", "'\t=x", "普通文字", "13812341234"]


def test_map_tooltips_bind_names_as_text_not_html():
    for path in ["web/static/web/minsheng.js", "assessment/static/assessment/dashboard.js",
                 "stations/static/stations/coverage.js"]:
        source = (STATIC / path).read_text()
        for call in re.findall(r"bind(?:Tooltip|Popup)\(([^;]*)", source):
            assert call.startswith("document.createTextNode("), (path, call)  # text: a name is never HTML


def test_a_photo_of_another_format_is_refused_before_it_is_decoded(monkeypatch):
    import pytest
    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    from minsheng.core.errors import ValidationFailed
    from minsheng.core.images import clean_photo

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="BMP")

    def no_decoding(self):
        raise AssertionError("decoded before its format was checked")

    Image.init()  # every plugin imported first (one builds an image when imported)
    monkeypatch.setattr(Image.Image, "load", no_decoding)
    with pytest.raises(ValidationFailed) as refused:
        clean_photo(SimpleUploadedFile("p.bmp", buffer.getvalue(), content_type="image/bmp"))
    assert "p.bmp" in refused.value.message


def test_open311_public_view_does_not_show_what_the_submitter_attached(client, world, keys):
    posted = client.post("/open311/v2/requests.json", {
        "api_key": keys["hotline"], "service_code": "construction.roads", "lat": "39.905", "long": "116.405",
        "description": "建设路井盖缺失。", "attribute[hazard]": "yes", "first_name": "伟", "last_name": "张",
        "phone": "13700001234", "media_url": "https://img.example.org/private.jpg"})
    assert posted.status_code == 201, posted.content
    number = posted.json()[0]["service_request_id"]
    public = client.get(f"/open311/v2/requests/{number}.json").json()[0]
    assert public["media_url"] is None
    keyed = client.get(f"/open311/v2/requests/{number}.json", {"api_key": keys["hotline"]}).json()[0]
    assert keyed["media_url"] == "https://img.example.org/private.jpg"
