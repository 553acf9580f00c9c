"""A small hand-built district shared by the tests.

District 望花区 → streets 光明 and 和平 → communities 玫瑰城 (光明), 雷锋 (和平) → one grid each.
Units: the district centre with two departments (城管局, 住建局), a street office per street,
a committee per community, a station under 玫瑰城.  One user per role.
"""

import importlib
import sys
import threading
import traceback
from dataclasses import dataclass, field

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.utils import translation
from pytest_django.fixtures import validate_django_db

from minsheng.catalogue.models import Category, DispatchRule
from minsheng.organisation.models import Membership, Region, Unit
from minsheng.organisation.roles import Role
from minsheng.people.models import Resident, VulnerableTag


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # The production hasher is slow on purpose; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _no_second_factor(settings):
    # Two-factor sign-in (core.twofactor) is tested on its own (tests/security/test_two_factor.py);
    # elsewhere a signed-in leader or administrator reaches the pages directly.
    settings.MINSHENG_2FA_ROLES = frozenset()
    settings.MINSHENG_2FA_SUPERUSERS = False


@pytest.fixture(autouse=True)
def _empty_cache():
    # Attempt counters (tracking throttle) live in the cache; no test inherits another's.
    from django.core.cache import cache

    from minsheng.core import versioned

    cache.clear()
    versioned.forget()  # the process's copies of keys and the catalogue (core.versioned)


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings):
    # Django's tasks run when queued, in the test's own transaction; a report's PDF, which cannot
    # be waited for then, is laid out by its request.  The worker's path (queued, then run by
    # notifications.worker) has its own tests, which set the database backend
    # (tests/core/test_documents.py).
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend",
                                  "QUEUES": ["documents"]}}


@pytest.fixture(autouse=True, scope="session")
def _pdf_store_of_the_run(tmp_path_factory):
    # Stored PDFs (core.pdf.PdfStore) go to a folder of this run, not to the checkout's data/.
    django_settings.MINSHENG_PDF_CACHE_DIR = tmp_path_factory.mktemp("pdf-store")


@pytest.fixture(autouse=True)
def _default_language():
    # A request through LocaleMiddleware leaves its language active in the thread; every test
    # starts from the product's default (Chinese) instead.
    translation.activate(django_settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@dataclass
class World:
    regions: dict[str, Region] = field(default_factory=dict)
    units: dict[str, Unit] = field(default_factory=dict)
    users: dict[str, object] = field(default_factory=dict)

    def user(self, name: str):
        # A fresh instance so that cached grants never leak between steps of a test.
        return get_user_model().objects.get(pk=self.users[name].pk)


def _region(world, key, kind, name, parent=None):
    world.regions[key] = Region.objects.create(kind=kind, name=name, code=key, parent=world.regions.get(parent))


def _unit(world, key, kind, name, region, parent=None):
    world.units[key] = Unit.objects.create(kind=kind, name=name, code=key, region=world.regions[region],
                                           parent=world.units.get(parent))


def _user(world, key, unit, role, region=None):
    user = get_user_model().objects.create_user(username=key, password="pw-" + key)
    if unit is not None:
        Membership.objects.create(user=user, unit=world.units[unit], role=role,
                                  region=world.regions.get(region))
    world.users[key] = user


@pytest.fixture
def world(request, db) -> World:
    from django.db import connection

    if not connection.in_atomic_block:
        # A transactional test (its rows committed, the database flushed after it): the catalogue
        # and tags of the data migrations may have gone with an earlier one's flush.
        request.getfixturevalue("migration_data")
    w = World()
    _region(w, "d", "district", "望花区")
    _region(w, "s1", "street", "光明街道", "d")
    _region(w, "s2", "street", "和平街道", "d")
    _region(w, "c1", "community", "玫瑰城社区", "s1")
    _region(w, "c2", "community", "雷锋社区", "s2")
    _region(w, "g1", "grid", "玫瑰城第一网格", "c1")
    _region(w, "g1b", "grid", "玫瑰城第二网格", "c1")
    _region(w, "g2", "grid", "雷锋第一网格", "c2")

    _unit(w, "centre", "district_centre", "望花区接诉即办中心", "d")
    _unit(w, "cg", "department", "区城管局", "d", "centre")
    _unit(w, "zj", "department", "区住建局", "d", "centre")
    _unit(w, "so1", "street_office", "光明街道办事处", "s1", "centre")
    _unit(w, "so2", "street_office", "和平街道办事处", "s2", "centre")
    _unit(w, "cc1", "community_committee", "玫瑰城社区居委会", "c1", "so1")
    _unit(w, "cc2", "community_committee", "雷锋社区居委会", "c2", "so2")
    _unit(w, "st1", "station", "玫瑰城5号楼代办站", "g1", "cc1")

    _user(w, "operator", "centre", Role.HOTLINE_OPERATOR)
    _user(w, "dispatcher", "centre", Role.STREET_DISPATCHER)
    _user(w, "dispatcher1", "so1", Role.STREET_DISPATCHER)
    _user(w, "dispatcher2", "so2", Role.STREET_DISPATCHER)
    _user(w, "handler_cg", "cg", Role.DEPARTMENT_HANDLER)
    _user(w, "handler_zj", "zj", Role.DEPARTMENT_HANDLER)
    _user(w, "staff1", "cc1", Role.COMMUNITY_STAFF)
    _user(w, "staff2", "cc2", Role.COMMUNITY_STAFF)
    _user(w, "gridworker", "cc1", Role.GRID_WORKER, region="g1")
    _user(w, "agent", "st1", Role.STATION_AGENT)
    _user(w, "leader", "centre", Role.LEADER)
    _user(w, "auditor", "centre", Role.AUDITOR)
    _user(w, "volunteer", "cc1", Role.VOLUNTEER)
    _user(w, "admin", "centre", Role.ADMINISTRATOR)
    _user(w, "nobody", None, None)
    _user(w, "resident", "cc1", Role.RESIDENT)
    Resident.objects.create(name="王奎", phone="13812341234", user=w.users["resident"], region=w.regions["g1"])
    Resident.objects.create(name="李秀英", phone="13900001111", region=w.regions["g1"]).tags.add(
        VulnerableTag.objects.get(code="elderly_alone"))

    roads = Category.objects.get(code="construction.roads")
    DispatchRule.objects.create(category=Category.objects.get(code="construction"), unit=w.units["zj"])
    DispatchRule.objects.create(category=roads, unit=w.units["cg"])
    DispatchRule.objects.create(category=Category.objects.get(code="environment"), region=w.regions["c1"],
                                unit=w.units["cc1"])
    return w


@pytest.fixture
def login(client, world):
    """``login("dispatcher1")`` → the test client, signed in as that user of the world."""
    def as_user(name):
        client.force_login(world.users[name])
        return client

    return as_user


@pytest.fixture
def default_catalogue(transactional_db):
    """The data migrations' catalogue, which an earlier transactional test's flush removed."""
    from django.apps import apps

    from minsheng.catalogue.defaults import load_defaults, load_service_attributes

    load_defaults(apps)
    load_service_attributes(apps)


# --- the append-only event log versus the transactional flush ----------------------------

def _append_only_migration():
    return importlib.import_module("minsheng.demands.migrations.0002_events_append_only")


def clear_event_log_for_flush() -> None:
    """SQLite flushes tables with DELETE, which the append-only triggers refuse; empty the event
    log with the triggers briefly lifted (PostgreSQL flushes with TRUNCATE, which they allow)."""
    from django.db import connection, transaction

    if connection.vendor != "sqlite":
        return
    migration = _append_only_migration()
    with transaction.atomic(), connection.cursor() as cursor:
        for sql in migration.SQLITE_REVERSE:
            cursor.execute(sql)
        cursor.execute("DELETE FROM demands_demandevent")
        for sql in migration.SQLITE:
            cursor.execute(sql)


@pytest.fixture(autouse=True)
def _event_log_emptied_before_the_flush(request):
    """After every transactional test on SQLite: the event log emptied before the flush that
    follows it, which the append-only triggers would refuse (and, the rows staying, the setup of
    every later transactional test would then fail on them too).  Requesting transactional_db here
    puts its flush after this fixture's end."""
    # Transactional as pytest-django itself decides (its _django_db_helper): the marker's
    # transaction or reset_sequences, however written, or a fixture that asks for it.
    marker = request.node.get_closest_marker("django_db")
    transaction, reset_sequences = validate_django_db(marker)[:2] if marker else (False, False)
    if not (transaction or reset_sequences or {"transactional_db", "live_server"} & set(request.fixturenames)):
        yield
        return
    request.getfixturevalue("transactional_db")
    yield
    clear_event_log_for_flush()


# --- the demo city's package runs last among the database tests --------------------------------

@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items):
    """tests/demo_city commits a whole demo city and flushes it afterwards. PostgreSQL keeps the
    statistics it gathered on those rows, and a later test that checks a query's plan (the outbox's
    claim uses its index, no sort) would meet them; run last, the package's statistics meet no
    other test's plan. (pytest-django then moves the transactional tests after all of these, with
    a stable sort that keeps this order.)"""
    items.sort(key=lambda item: "demo_city" in item.nodeid.split("/"))


@pytest.fixture
def migration_data(transactional_db) -> None:
    """The default catalogue and tags the data migrations load, which the flush after every
    transactional test removes.  Reloaded here rather than by serialized_rollback, which breaks
    once another transactional test (tests/demands/test_concurrency.py) has flushed before: the
    content types post_migrate recreates then clash with the serialized ones."""
    from django.apps import apps

    from minsheng.catalogue.defaults import load_defaults, load_service_attributes
    from minsheng.homecare.defaults import load_defaults as load_homecare_defaults
    from minsheng.people.models import VulnerableTag
    from minsheng.stations.defaults import load_service_items

    if not VulnerableTag.objects.exists():
        load_defaults(apps)
    # The other data migrations' rows (each loader keeps what is there): the demo's seeding needs
    # the care grades' prices and the stations' service items.
    load_service_attributes(apps)
    load_homecare_defaults(apps)
    load_service_items(apps)


# --- a test that runs out of time says where, in one line the closing summary keeps ------------

HUNG_PREFIX = "== hung:"
_STANDARD_LIBRARY = f"/lib/python{sys.version_info.major}.{sys.version_info.minor}/"
_hung: list[str] = []


def _frames_line(frames, innermost: int = 4) -> str:
    """The innermost frames of a stack as ``file:line function`` joined by " > ", the path from
    the project's or the installed package's root (CI shows only the end of a run's output)."""
    def place(frame) -> str:
        path = frame.filename
        for root in ("site-packages/", "/src/", "/tests/", _STANDARD_LIBRARY):
            if root in path:
                path = ("tests/" if root == "/tests/" else "") + path.rsplit(root, 1)[1]
                break
        return f"{path}:{frame.lineno} {frame.name}"

    return " > ".join(place(frame) for frame in frames[-innermost:])


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """pytest-timeout's stack dump goes to the middle of the output; this records, for the end of
    it, where the test's thread was when its time ran out and where every other thread was."""
    report = yield
    if call.excinfo is not None and "Timeout (>" in str(call.excinfo.value):
        main = [frame for frame in traceback.extract_tb(call.excinfo.tb)  # less the timeout's own
                if "pytest_timeout" not in frame.filename and "_pytest/outcomes" not in frame.filename]
        stacks = [f"main: {_frames_line(main)}"]
        names = {thread.ident: thread.name for thread in threading.enumerate()}
        for ident, frame in sys._current_frames().items():
            if ident != threading.get_ident():
                stacks.append(f"{names.get(ident, ident)}: {_frames_line(traceback.extract_stack(frame), 3)}")
        _hung.append(f"{HUNG_PREFIX} {item.nodeid} ({call.when}) " + " | ".join(stacks))
    return report


def pytest_terminal_summary(terminalreporter):
    for line in _hung:
        terminalreporter.write_line(line)
