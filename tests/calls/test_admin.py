"""Phone systems are made in the admin: the token is shown once, addresses are checked."""

import re

from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages

from minsheng.calls.models import PhoneSystem
from minsheng.calls.services import authenticate_phone_system

INLINE = {"seats-TOTAL_FORMS": "0", "seats-INITIAL_FORMS": "0", "seats-MIN_NUM_FORMS": "0",
          "seats-MAX_NUM_FORMS": "1000"}


def test_the_admin_makes_a_phone_system_and_shows_its_token_once(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", password="pw-root"))
    response = client.post("/admin/calls/phonesystem/add/", {
        "name": "区中心交换机", "allowed_addresses": '["10.0.0.0/24"]', "active": "on", **INLINE})
    assert response.status_code == 302, response.content.decode()[:2000]
    token = re.search(r"cti_\S+", " ".join(str(m) for m in get_messages(response.wsgi_request))).group(0)
    system = PhoneSystem.objects.get()
    assert token not in system.token_hash and authenticate_phone_system(token, "10.0.0.7") == system

    refused = client.post("/admin/calls/phonesystem/add/", {
        "name": "坏地址", "allowed_addresses": '["10.0.0.300"]', "active": "on", **INLINE})
    assert refused.status_code == 200 and "10.0.0.300" in refused.content.decode()
    assert PhoneSystem.objects.count() == 1
