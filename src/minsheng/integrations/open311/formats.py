"""Open311 documents as XML or JSON: the same nested data, two spellings.

XML wraps each list in its plural element and each item in the singular one the
specification names (``<services><service>…``); ``None`` is an empty element and booleans
are ``true``/``false``, as in the specification's examples.
"""

import json
from typing import Any
from xml.etree import ElementTree

from django.http import HttpResponse

from minsheng.core.text import xml_safe

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
ITEM_NAMES = {
    "services": "service", "service_requests": "request", "attributes": "attribute", "values": "value",
    "errors": "error", "endpoints": "endpoint", "formats": "format", "service_request_updates": "request_update",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return xml_safe(str(value))


def _fill(element: ElementTree.Element, value: Any) -> None:
    if isinstance(value, dict):
        for name, child in value.items():
            _fill(ElementTree.SubElement(element, name), child)
    elif isinstance(value, list):
        item_name = ITEM_NAMES[element.tag]
        for item in value:
            _fill(ElementTree.SubElement(element, item_name), item)
    else:
        element.text = _text(value)


def to_xml(root: str, data: Any) -> bytes:
    element = ElementTree.Element(root)
    _fill(element, data)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ElementTree.tostring(element, encoding="unicode").encode()


def respond(fmt: str, root: str, data: Any, status: int = 200) -> HttpResponse:
    """``root`` names the XML document element; JSON is the data itself."""
    body = to_xml(root, data) if fmt == "xml" else json.dumps(data, ensure_ascii=False).encode()
    return HttpResponse(body, status=status, content_type=CONTENT_TYPES[fmt])


def error_response(fmt: str, status: int, description: str, *, retry_after: int | None = None) -> HttpResponse:
    response = respond(fmt, "errors", [{"code": status, "description": description}], status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response
