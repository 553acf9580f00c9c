"""The PDF helper: what it keeps from one document to the next (the fetcher, the fonts), and that
the documents made with it stay whole."""

import io
import threading
from unittest import mock

import pypdf

from minsheng.core import pdf


def _text(document: bytes) -> str:
    return "".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(document)).pages)


def test_one_fetcher_serves_every_document_and_no_https_context_is_built_per_document():
    pdf.html_to_pdf("<p>一</p>")  # the process's fetcher exists from here on
    with mock.patch("ssl.create_default_context") as context:
        first = pdf.html_to_pdf('<link rel="stylesheet" href="/static/stations/print.css"><p>第一份</p>')
        second = pdf.html_to_pdf("<p>第二份</p>")
    assert context.call_count == 0
    assert pdf._static_fetcher() is pdf._static_fetcher()
    assert "第一份" in _text(first) and "第二份" in _text(second)


def test_each_thread_keeps_one_font_configuration_of_its_own():
    from weasyprint.text import fonts

    made = []
    real = fonts.FontConfiguration

    def counting():
        made.append(real())
        return made[-1]

    seen = {}

    def work(name):
        documents = [pdf.html_to_pdf(f"<p>{name}{i}</p>") for i in range(2)]
        seen[name] = (pdf._font_config(), [_text(d) for d in documents])

    with mock.patch.object(fonts, "FontConfiguration", counting):
        threads = [threading.Thread(target=work, args=(name,)) for name in ("甲", "乙")]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(made) == 2  # one per thread, not one per document
    assert seen["甲"][0] is not seen["乙"][0]
    assert "甲1" in seen["甲"][1][1] and "乙0" in seen["乙"][1][0]


def test_the_fetcher_still_refuses_what_is_not_a_static_file():
    document = pdf.html_to_pdf('<img src="http://example.com/x.png"><p>正文</p>')
    assert "正文" in _text(document)
