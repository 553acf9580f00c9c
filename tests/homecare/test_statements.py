"""Issuing a provider's monthly statement: only by someone who may see every record it bills, with
totals equal to the sum of the records it links, and once per provider and month even when two
issue at the same moment (PostgreSQL)."""

import contextlib
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.db.models import Sum

from minsheng.core import clock
from minsheng.core.errors import InvalidTransition, OutOfScope
from minsheng.homecare import audit, billing
from minsheng.homecare.models import ProviderContract, ServiceRecord, Statement
from minsheng.organisation.models import Membership, Unit
from minsheng.organisation.roles import Role

from ..races import outcome, postgres_only, race
from .conftest import NOW, build_care

MARCH = date(2026, 3, 1)


def _street_provider(care):
    """A provider registered in 光明街道 (s1) whose contract also covers 雷锋社区 (c2, 和平街道)."""
    world = care.world
    unit = Unit.objects.create(kind=Unit.Kind.CARE_PROVIDER, name="光明养老服务站", code="p4",
                               region=world.regions["s1"])
    contract = ProviderContract.objects.create(provider=unit, start=date(2026, 1, 1), end=date(2026, 12, 31))
    contract.services.set(care.services.values())
    contract.communities.set([world.regions["c1"], world.regions["c2"]])
    worker = get_user_model().objects.create_user(username="worker4", password="pw-worker4")
    Membership.objects.create(user=worker, unit=unit, role=Role.DEPARTMENT_HANDLER)
    world.users["worker4"] = worker
    return unit


def _approved_month(care, provider_worker, elders) -> list[ServiceRecord]:
    records = []
    for day, elder in enumerate(elders, start=2):
        staff = "staff1" if elder.community == care.world.regions["c1"] else "staff2"
        record = care.visit(care.claimed(elder, worker=provider_worker, day=date(2026, 3, day), hours="2",
                                         actor=staff), worker=provider_worker)
        audit.review(care.user("auditor"), record.pk, decision="approve")
        records.append(record)
    return records


@pytest.mark.django_db
def test_a_street_cannot_issue_a_statement_billing_another_streets_elders(care):
    provider = _street_provider(care)
    mine = care.elder(phone="13600000001", name="赵大爷")
    theirs = care.elder(community="c2", phone="13600000003", name="孙爷爷")
    _approved_month(care, "worker4", [mine, theirs])
    # 光明街道's office covers the provider's own street, but not 雷锋社区's elder on the statement.
    with pytest.raises(OutOfScope):
        billing.issue_statement(care.user("dispatcher1"), provider, MARCH)
    assert not Statement.objects.exists() and not ServiceRecord.objects.filter(statement__isnull=False).exists()
    statement = billing.issue_statement(care.user("dispatcher"), provider, MARCH)  # the district sees all
    linked = statement.records.aggregate(h=Sum("hours"), a=Sum("amount"))
    assert statement.records.count() == 2
    assert (statement.hours, statement.amount) == (linked["h"], linked["a"]) == (Decimal("4.00"), Decimal("68.00"))
    with pytest.raises(InvalidTransition):
        billing.issue_statement(care.user("dispatcher"), provider, MARCH)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_issues_at_once_make_one_statement(default_catalogue, world, monkeypatch):
    from django.apps import apps

    from minsheng.homecare.defaults import load_defaults

    load_defaults(apps)  # the data migration's rows, which an earlier transactional test's flush removed
    with clock.frozen_at(NOW):
        care = build_care(world)
        _approved_month(care, "worker1", [care.elder(phone="13600000001", name="赵大爷"),
                                          care.elder(phone="13600000002", name="钱奶奶")])
    # Both issues meet once they have looked for an existing statement and are about to bill, so
    # that neither can finish before the other has started; where issues take turns, the first
    # waits here alone for a moment and goes on.
    meet = threading.Barrier(2)
    approved = billing.approved_records

    def approved_then_meet(provider_id, month):
        with contextlib.suppress(threading.BrokenBarrierError):
            meet.wait(timeout=3)
        return approved(provider_id, month)

    monkeypatch.setattr(billing, "approved_records", approved_then_meet)
    dispatcher, provider = care.user("dispatcher"), care.providers["p1"]

    def issue():
        return billing.issue_statement(dispatcher, provider, MARCH)

    results = race(issue, issue)
    assert sorted(outcome(r, InvalidTransition, won="issued") for r in results) == ["issued", "refused"]
    statement = Statement.objects.get()
    linked = statement.records.aggregate(h=Sum("hours"), a=Sum("amount"))
    assert statement.records.count() == 2 and (statement.hours, statement.amount) == (linked["h"], linked["a"])
