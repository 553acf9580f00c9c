"""API keys: made by the command or the admin, shown once, stored only as a hash."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minsheng.integrations.models import ApiKey
from minsheng.integrations.services import authenticate_api_key


def test_the_command_prints_a_key_that_works_and_stores_only_its_hash(world):
    out = StringIO()
    call_command("create_api_key", name="110指挥中心", user="operator", region="d", actions="read,register",
                 stdout=out)
    raw = out.getvalue().strip()
    key = ApiKey.objects.get()
    assert raw not in (key.secret_hash, key.prefix) and raw.startswith(f"ms_{key.prefix}_")
    assert authenticate_api_key(raw) == key and key.actions == ["read", "register"]
    assert authenticate_api_key(raw[:-1] + ("A" if raw[-1] != "A" else "B")) is None
    key.active = False
    key.save()
    assert authenticate_api_key(raw) is None


@pytest.mark.parametrize("options, message", [
    ({"user": "ghost"}, "ghost"), ({"region": "mars"}, "mars"), ({"actions": "read,fly"}, "fly"),
    ({"rate": 0}, "rate"),
])
def test_the_command_refuses_bad_options_clearly(world, options, message):
    arguments = {"name": "x", "user": "operator", "region": "d", "actions": "read", **options}
    with pytest.raises(CommandError, match=message):
        call_command("create_api_key", **arguments, stdout=StringIO())
    assert not ApiKey.objects.exists()


def test_the_admin_makes_a_key_and_shows_it_once(client, world, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", password="x"))
    response = client.post("/admin/integrations/apikey/add/", {
        "name": "大屏", "user": world.user("leader").pk, "region": world.regions["d"].pk,
        "actions": ["read"], "rate_per_minute": 60, "active": "on"}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    key = ApiKey.objects.get()
    raw = next(m for m in shown if f"ms_{key.prefix}_" in m).split("：")[-1].strip()
    assert authenticate_api_key(raw) == key and key.rate_per_minute == 60
    listing = client.get("/admin/integrations/apikey/")
    assert raw.encode() not in listing.content
