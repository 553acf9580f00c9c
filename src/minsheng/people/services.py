"""Registering residents and revealing their personal data, with every reveal logged."""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.organisation.roles import ROLES_SEEING_PERSONAL_DATA
from minsheng.organisation.scope import grants_for

from .models import PersonalDataAccess, Resident, VulnerableTag
from .validation import mask_phone, normalise_id_number, normalise_phone

REVEALABLE_FIELDS = ("phone", "id_number")


def find_or_register_resident(
    *, name: str, phone: str, id_number: str = "", address: str = "", region=None,
    tag_codes: list[str] | None = None,
) -> Resident:
    """One resident per phone number: return the existing one (filling gaps) or create it."""
    phone = normalise_phone(phone)
    id_number = normalise_id_number(id_number) if id_number else ""
    if id_number and Resident.objects.filter(id_number=id_number).exclude(phone=phone).exists():
        raise ValidationFailed.for_field(
            "id_number", _("该身份证号码已登记在另一个联系电话名下，请核对后再填写。"))
    with transaction.atomic():
        resident, created = Resident.objects.get_or_create(
            phone=phone, defaults={"name": name.strip() or _("匿名居民"), "id_number": id_number,
                                   "address": address, "region": region},
        )
        if not created:
            gaps = gaps_to_fill(resident, id_number=id_number, address=address, region=region)
            for field, value in gaps.items():
                setattr(resident, field, value)
            if gaps:
                resident.save(update_fields=list(gaps))
        if tag_codes:
            resident.tags.add(*VulnerableTag.objects.filter(code__in=tag_codes))
    return resident


def gaps_to_fill(resident: Resident, *, id_number: str = "", address: str = "", region=None) -> dict[str, Any]:
    """What ``find_or_register_resident`` fills in on a resident on file: each value given whose
    field is still empty (nothing there is ever overwritten)."""
    given = {"id_number": id_number, "address": address, "region": region}
    return {field: value for field, value in given.items()
            if value and not getattr(resident, "region_id" if field == "region" else field)}


def may_see_personal_data(viewer, demand=None) -> bool:
    """Whether ``viewer`` holds a role that needs full contact data — for ``demand``, through a
    grant that covers that demand (a grid worker elsewhere does not unmask a leader's view)."""
    grants = [g for g in grants_for(viewer) if g.role in ROLES_SEEING_PERSONAL_DATA]
    if demand is None:
        return bool(grants)
    return any(g.covers(demand) for g in grants)


@dataclass(frozen=True)
class RevealedData:
    phone: str
    id_number: str


def reveal_personal_data(viewer, resident: Resident, purpose: str, fields=REVEALABLE_FIELDS,
                         demand=None) -> RevealedData:
    """Return the unmasked fields and log the access; refuse viewers whose role has no need
    (for ``demand``: no need on that demand)."""
    if not may_see_personal_data(viewer, demand):
        raise PermissionDenied(_("你的角色无权查看居民的完整联系方式和证件号码。"))
    unknown = set(fields) - set(REVEALABLE_FIELDS)
    if unknown:
        raise ValueError(f"unknown personal-data fields: {sorted(unknown)}")
    PersonalDataAccess.objects.create(viewer=viewer, resident=resident, fields=",".join(fields),
                                      purpose=purpose[:200])
    return RevealedData(
        phone=resident.phone if "phone" in fields else resident.masked_phone,
        id_number=resident.id_number if "id_number" in fields else resident.masked_id_number,
    )


# --- searching by phone ----------------------------------------------------------------
# A search by part of a number ("0001", then "30001", …) answers "is there someone whose number
# ends like this?" and so rebuilds a masked number in a dozen requests.  A search by phone
# therefore takes the whole number, or the last four digits with the name (which confirms what
# the searcher already knows), is open only to roles that may see personal data, and is logged.

_PHONE_SEPARATORS = re.compile(r"[\s\-()（）+]")
_NAME_THEN_DIGITS = re.compile(r"^(?P<name>[^\d]+?)\s*(?P<digits>\d{4})$")
_DIGITS_THEN_NAME = re.compile(r"^(?P<digits>\d{4})\s*(?P<name>[^\d]+?)$")
PHONE_SEARCH_MIN_DIGITS = 4


@dataclass(frozen=True)
class PhoneSearch:
    """A search by phone: a whole number (``phone``), or a name with the last four digits."""

    phone: str = ""
    name: str = ""
    last_four: str = ""

    def subject(self) -> str:
        """What was looked for, as the access log keeps it (masked: the log holds no number)."""
        if self.phone:
            return mask_phone(self.phone)
        return f"{self.name} ****{self.last_four}"


def parse_phone_search(viewer, query: str, field: str = "q") -> PhoneSearch | None:
    """How ``query`` searches by phone, or None when it is no phone search (a name, an address,
    a number too short to be part of a phone).  Part of a number alone is refused, and so is any
    search by phone from a role that may not see personal data."""
    query = (query or "").strip()
    compact = _PHONE_SEPARATORS.sub("", query)
    search: PhoneSearch | None = None
    if compact.isascii() and compact.isdigit() and len(compact) >= PHONE_SEARCH_MIN_DIGITS:
        try:
            search = PhoneSearch(phone=normalise_phone(query))
        except ValidationFailed:
            raise ValidationFailed.for_field(field, _(
                "按电话查找需要完整的号码，或“姓名+号码后四位”（如 李明1234）。")) from None
    elif found := (_NAME_THEN_DIGITS.match(query) or _DIGITS_THEN_NAME.match(query)):
        if not may_see_personal_data(viewer):
            return None  # read as text only (an address ending in a number), never against phones
        return PhoneSearch(name=found["name"].strip(), last_four=found["digits"])
    if search is not None and not may_see_personal_data(viewer):
        raise PermissionDenied(_("你的角色不能按电话号码查找。"))
    return search


def log_phone_search(viewer, search: PhoneSearch, residents: Iterable[Resident], purpose: str) -> None:
    """One access-log row per resident the search matched, or one without a resident when it
    matched none (the attempt is logged all the same)."""
    rows = [PersonalDataAccess(viewer=viewer, resident=r, fields="phone", purpose=purpose[:200],
                               subject=search.subject()[:100]) for r in residents]
    if not rows:
        rows = [PersonalDataAccess(viewer=viewer, fields="phone", purpose=purpose[:200],
                                   subject=search.subject()[:100])]
    for row in rows:  # saved one by one: each is mirrored into the audit log (audit.signals)
        row.save()
