"""Registering residents and revealing their personal data, with every reveal logged."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minsheng.core.errors import PermissionDenied, ValidationFailed
from minsheng.organisation.roles import ROLES_SEEING_PERSONAL_DATA
from minsheng.organisation.scope import grants_for

from .models import PersonalDataAccess, Resident, VulnerableTag
from .validation import normalise_id_number, normalise_phone

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
