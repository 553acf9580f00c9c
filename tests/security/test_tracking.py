"""Tracking cannot be used to lock a resident out, counts clients behind a trusted proxy one by
one, keeps the phone digits out of query strings, and secrets out of logs (issue #24, item 9)."""

import logging

from django.test import Client
from django.urls import reverse

from ..demands.helpers import bring_to


def _track(client, demand, digits, **meta):
    return client.post(reverse("web:track"), {"number": demand.number, "phone_last4": digits}, **meta)


def test_wrong_guesses_from_one_client_do_not_lock_the_number_for_the_resident(world, settings):
    settings.MINSHENG_TRACK_MAX_FAILURES = 5
    demand = bring_to(world, "dispatched")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for digits in ("0000", "0001", "0002", "0003", "0004"):
        assert _track(attacker, demand, digits).status_code == 404
    assert _track(attacker, demand, "1234").status_code == 429  # the guesser is stopped
    resident = Client(REMOTE_ADDR="198.51.100.7")
    answer = _track(resident, demand, "1234")
    assert answer.status_code == 200 and demand.title in answer.content.decode()


def test_one_client_is_stopped_across_numbers(world, settings):
    settings.MINSHENG_TRACK_MAX_FAILURES = 2
    demands = [bring_to(world, "dispatched") for _ in range(7)]
    guesser = Client(REMOTE_ADDR="203.0.113.9")
    answers = [_track(guesser, d, digits).status_code for d in demands[:6] for digits in ("0000", "0001")]
    assert answers == [404] * 12
    assert _track(guesser, demands[6], "0000").status_code == 429  # 2 × 6 misses over all numbers


def test_behind_a_trusted_proxy_each_resident_has_their_own_count(world, settings):
    settings.MINSHENG_TRACK_MAX_FAILURES = 2
    settings.MINSHENG_TRUSTED_PROXY_HEADER = "X-Forwarded-For"
    demand = bring_to(world, "dispatched")
    proxy = Client(REMOTE_ADDR="10.0.0.1")
    for digits in ("0000", "0001"):
        assert _track(proxy, demand, digits, HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert _track(proxy, demand, "1234", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 429
    # Another resident behind the same proxy; a forged first entry does not pick the address.
    answer = _track(proxy, demand, "1234", HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7")
    assert answer.status_code == 200


def test_without_a_trusted_proxy_the_header_is_ignored(world, settings):
    settings.MINSHENG_TRACK_MAX_FAILURES = 2
    demand = bring_to(world, "dispatched")
    client = Client(REMOTE_ADDR="203.0.113.9")
    for n, digits in enumerate(("0000", "0001")):
        assert _track(client, demand, digits, HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code == 404
    assert _track(client, demand, "1234", HTTP_X_FORWARDED_FOR="198.51.100.99").status_code == 429


def test_tracking_by_query_string_is_not_done(world, client):
    demand = bring_to(world, "dispatched")
    page = client.get(reverse("web:track"), {"number": demand.number, "phone_last4": "1234"})
    assert page.status_code == 200 and demand.title not in page.content.decode()
    assert f'value="{demand.number}"' in page.content.decode()  # the number may still fill the form in


def test_secret_query_parameters_never_reach_a_log_line():
    from minsheng.core.middleware import RedactSecretsFilter

    record = logging.LogRecord("django.server", logging.INFO, __file__, 1, '"%s" %s %s',
                               ("GET /open311/v2/requests.json?api_key=ms_secret&status=open HTTP/1.1", "200", "12"),
                               None)
    RedactSecretsFilter().filter(record)
    line = record.getMessage()
    assert "ms_secret" not in line and "status=open" in line and "api_key=[redacted]" in line


def test_open311_reads_a_key_from_the_header(world, keys, client):
    demand = bring_to(world, "dispatched")
    by_header = client.get(f"/open311/v2/requests/{demand.number}.json", HTTP_X_API_KEY=keys["hotline"])
    assert by_header.status_code == 200 and by_header.json()[0]["description"] == demand.description  # full view


def test_gunicorn_access_lines_leave_the_query_string_out():
    from minsheng import gunicorn_conf

    assert "%(U)s" in gunicorn_conf.access_log_format
    assert "%(r)s" not in gunicorn_conf.access_log_format and "%(q)s" not in gunicorn_conf.access_log_format
