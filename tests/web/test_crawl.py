"""Every demo login, signed in through the form, follows every same-site link from its home
(breadth-first, GET only): none answers 404 or 500.  A link shown to a viewer who may not open
it, or a page that breaks on the demo's data, fails here."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from minsheng.demands.models import DemandEvent
from minsheng.demo.city import DEMO_PASSWORD
from minsheng.notifications.delivery import deliver_batch
from minsheng.people.models import PersonalDataAccess

from .crawl import crawl

PAGES_PER_LOGIN = 250


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--demands", "200", "--residents", "300", stdout=io.StringIO())
    while deliver_batch():  # the inbox's notices, as the worker would have delivered them
        pass
    # The printed logins are the accounts with a password (the working users have none).
    return sorted(u.username for u in get_user_model().objects.all() if u.has_usable_password())


@pytest.mark.slow
def test_every_demo_login_reaches_only_pages_that_open(demo):
    assert {"admin", "operator", "dispatcher", "handler", "community", "grid", "agent", "volunteer", "leader",
            "auditor", "resident", "secretary", "careworker"} <= set(demo)
    problems = []
    writes_before = (DemandEvent.objects.count(), PersonalDataAccess.objects.count())
    for username in demo:
        client = Client()
        signed_in = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, username
        result = crawl(client, "/", limit=PAGES_PER_LOGIN)
        if result.home_status != 200:
            problems.append(f"{username}: home answers {result.home_status}")
        problems += [f"{username}: {path} answers {status} (linked from {source})"
                     for path, status, source in result.broken]
        assert len(result.visited) > 3, username  # the home has links to follow
    visitor = crawl(Client(), "/", limit=PAGES_PER_LOGIN)  # and a resident without an account
    problems += [f"anonymous: {path} answers {status} (linked from {source})"
                 for path, status, source in visitor.broken]
    assert visitor.home_status == 200 and len(visitor.visited) > 3
    assert not problems, "\n".join(problems)
    # Following links changes nothing: no transition, no logged look at personal data.
    assert (DemandEvent.objects.count(), PersonalDataAccess.objects.count()) == writes_before
