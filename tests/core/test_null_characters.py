"""A NUL character in a path or query string is refused with a 400 before any view reads it:
PostgreSQL cannot hold one in a text value, so a page that passed it to a query answered 500
there (the parameter fuzz found /work/inbox/, /work/grids/registers/, /board/…/ and others)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", [
    "/work/inbox/?kind=%00", "/work/inbox/?demand=1%002", "/work/intake/duplicates/?title=a%00b",
    "/work/grids/registers/?q=%00", "/board/%00/", "/?%00=1",
])
def test_a_nul_character_is_refused_plainly(world, url):
    client = Client()
    client.force_login(world.users["dispatcher1"])
    response = client.get(url)
    assert response.status_code == 400
    assert "无效的字符" in response.content.decode()


def test_ordinary_parameters_pass(world):
    client = Client()
    client.force_login(world.users["dispatcher1"])
    assert client.get("/work/inbox/?kind=demand").status_code == 200
