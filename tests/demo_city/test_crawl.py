"""Every demo login, signed in through the form, follows every same-site link from its home
(breadth-first, GET only): none answers 404 or 500.  A link shown to a viewer who may not open
it, or a page that breaks on the demo's data, fails here."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve

from minsheng.demands.models import DemandEvent
from minsheng.demands.selectors import demands_visible_to
from minsheng.demo.city import DEMO_PASSWORD
from minsheng.notifications.delivery import deliver_batch
from minsheng.people.models import PersonalDataAccess
from minsheng.projects.selectors import meetings_visible_to, projects_visible_to

from ..web.crawl import crawl

PAGES_PER_LOGIN = 250
# The detail pages whose rows are scoped: view name → the selector the page reads through.
SCOPED = {"web:demand": demands_visible_to, "projects:project": projects_visible_to,
          "projects:meeting": meetings_visible_to}


@pytest.fixture
def logins(demo):
    while deliver_batch():  # the inbox's notices, as the worker would have delivered them
        pass
    # The printed logins are the accounts with a password (the working users have none).
    return sorted(u.username for u in get_user_model().objects.all() if u.has_usable_password())


def _beyond_scope(user, seen: dict[str, str]) -> list[str]:
    """Links to a demand, a project or a meeting the crawl saw but did not open (it opens a few of
    each kind), checked against the selector the detail page reads through."""
    wanted: dict[str, dict[int, str]] = {name: {} for name in SCOPED}
    for link, source in seen.items():
        try:
            match = resolve(link.split("?", 1)[0])
        except Resolver404:
            continue
        if match.view_name in SCOPED and "pk" in match.kwargs:
            wanted[match.view_name][match.kwargs["pk"]] = f"{link} (linked from {source})"
    problems = []
    for name, by_pk in wanted.items():
        opens = set(SCOPED[name](user).filter(pk__in=list(by_pk)).values_list("pk", flat=True))
        problems += [f"{user.username}: {text} is outside the viewer's scope"
                     for pk, text in by_pk.items() if pk not in opens]
    return problems


@pytest.mark.slow
def test_every_demo_login_reaches_only_pages_that_open(logins):
    assert {"admin", "operator", "dispatcher", "handler", "community", "grid", "agent", "volunteer", "leader",
            "auditor", "resident", "secretary", "careworker"} <= set(logins)
    problems = []
    writes_before = (DemandEvent.objects.count(), PersonalDataAccess.objects.count())
    for username in logins:
        client = Client()
        signed_in = client.post("/login/", {"username": username, "password": DEMO_PASSWORD})
        assert signed_in.status_code == 302, username
        result = crawl(client, "/", limit=PAGES_PER_LOGIN)
        if result.home_status != 200:
            problems.append(f"{username}: home answers {result.home_status}")
        problems += [f"{username}: {path} answers {status} (linked from {source})"
                     for path, status, source in result.broken]
        assert len(result.visited) > 3, username  # the home has links to follow
        problems += _beyond_scope(get_user_model().objects.get(username=username), result.seen)
    visitor = crawl(Client(), "/", limit=PAGES_PER_LOGIN)  # and a resident without an account
    problems += [f"anonymous: {path} answers {status} (linked from {source})"
                 for path, status, source in visitor.broken]
    assert visitor.home_status == 200 and len(visitor.visited) > 3
    assert not problems, "\n".join(problems)
    # Following links changes nothing: no transition, no logged look at personal data.
    assert (DemandEvent.objects.count(), PersonalDataAccess.objects.count()) == writes_before
