"""An Open311 POST request turned into a registered demand."""

import re

from django.conf import settings
from django.http import QueryDict
from django.utils.translation import gettext as _

from minsheng.catalogue.selectors import service_categories
from minsheng.core.errors import ValidationFailed
from minsheng.demands import services as demand_services
from minsheng.demands.models import Demand
from minsheng.demands.workflow import Channel
from minsheng.organisation.geo import region_containing
from minsheng.organisation.models import Region

from ..models import ApiKey

_ATTRIBUTE = re.compile(r"attribute\[([A-Za-z0-9_-]{1,32})\](\[\])?")
_SENTENCE_END = re.compile(r"[。！？!?\n]|\.(?:\s|$)")
TITLE_LENGTH = 30


def parse_attributes(data: QueryDict) -> dict[str, str | list[str]]:
    """``attribute[CODE]`` → one answer, ``attribute[CODE][]`` (repeated) → a list."""
    answers: dict[str, str | list[str]] = {}
    for name in data:
        if not name.startswith("attribute"):
            continue
        match = _ATTRIBUTE.fullmatch(name)
        if match is None:
            raise ValidationFailed.for_field(name, _("无法识别的附加信息参数“%(name)s”。") % {"name": name})
        code, many = match.groups()
        answers[code] = data.getlist(name) if many else data.get(name, "")
    return answers


def title_from(description: str) -> str:
    """A demand's title from the first sentence of its description."""
    text = " ".join(description.split())
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip() or text
    return first if len(first) <= TITLE_LENGTH else first[:TITLE_LENGTH - 1] + "…"


def _region(key: ApiKey, fields: dict[str, str]) -> Region:
    """The region from address_id, else from the point, else the key's own region (the
    dispatcher places it from the address)."""
    if fields["address_id"]:
        region = Region.objects.filter(code=fields["address_id"], path__startswith=key.region.path).first()
        if region is None:
            raise ValidationFailed.for_field("address_id", _("地址编码“%(code)s”不存在或不在本接口的范围内。")
                                             % {"code": fields["address_id"]})
        return region
    if fields["lat"] and fields["long"]:
        try:
            return region_containing(fields["lat"], fields["long"], within=key.region) or key.region
        except (TypeError, ValueError):
            pass  # register_demand refuses the malformed coordinates with the field's name
    return key.region


def submit_request(key: ApiKey, fields: dict[str, str], attributes: dict[str, str | list[str]]) -> Demand:
    fields = {name: (value or "").strip() for name, value in fields.items()}
    if not fields["service_code"]:
        raise ValidationFailed.for_field("service_code", _("请提供 service_code。"))
    category = service_categories().filter(code=fields["service_code"]).first()
    if category is None:
        message = _("服务代码“%(code)s”不存在。") % {"code": fields["service_code"]}
        raise ValidationFailed.for_field("service_code", message)
    if bool(fields["lat"]) != bool(fields["long"]):
        raise ValidationFailed.for_field("lat", _("lat 和 long 必须同时提供。"))
    if not (fields["lat"] or fields["address_string"] or fields["address_id"]):
        raise ValidationFailed.for_field("lat", _("必须提供位置：lat 与 long、address_string 或 address_id 之一。"))
    # The specification makes the description optional; the service's name then says what it is.
    description = fields["description"] or str(category)
    reporter = None
    if fields["phone"]:
        name = f"{fields['last_name']}{fields['first_name']}".strip()
        reporter = demand_services.ReporterInput(name=name, phone=fields["phone"])
    return demand_services.register_demand(
        key.user, channel=Channel.API, demand_type=settings.MINSHENG_OPEN311_DEMAND_TYPE,
        title=title_from(description), description=description, region=_region(key, fields),
        category=category, reporter=reporter, address=fields["address_string"],
        latitude=fields["lat"] or None, longitude=fields["long"] or None, attributes=attributes,
        media_url=fields["media_url"], reporter_email=fields["email"],
        note=_("由接口“%(name)s”提交") % {"name": key.name},
    )
