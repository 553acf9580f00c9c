"""The monthly report's PDF made by the worker (core.documents): the request answers at once, the
document's page waits for the worker, then sends the PDF; nothing is lost when no worker makes it."""

import hashlib
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from minsheng.core import documents, pdf
from minsheng.notifications.worker import Worker
from tests.demands.helpers import bring_to

REPORT = "web:assessment_report"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["documents"]}}


def fake_pdf(html: str) -> bytes:
    """A stand-in for WeasyPrint: a different 'PDF' for every HTML, in a millisecond."""
    return b"%PDF-1.7 " + hashlib.sha256(html.encode()).hexdigest().encode()


@pytest.fixture
def queued(settings, tmp_path):
    """Tasks kept in the database for the worker, as in production, and a store of this test."""
    settings.TASKS = DATABASE_TASKS
    settings.MINSHENG_PDF_CACHE_DIR = tmp_path
    with mock.patch.object(pdf, "html_to_pdf", side_effect=fake_pdf) as renderer:
        yield renderer


def leader(client, world):
    client.force_login(world.users["leader"])
    return client


def run_worker() -> None:
    """The worker until nothing is left to do, in the test's transaction: the workers' closing of
    old connections (which on PostgreSQL would close the test's own) is left out."""
    with (mock.patch("minsheng.notifications.worker.close_old_connections"),
          mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections")):
        Worker(poll_seconds=0, sweeps=False).run(until_idle=True)


def document_path(response) -> str:
    assert response.status_code == 302, response.status_code
    assert re.fullmatch(r"/documents/[0-9a-f-]{36}/", response["Location"]), response["Location"]
    return response["Location"]


def test_the_report_pdf_is_made_by_the_worker_and_sent_from_its_page(client, world, queued):
    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    asked = c.get(reverse(REPORT), {"format": "pdf", "month": f"{timezone.localdate():%Y-%m}"})
    page = document_path(asked)
    assert queued.call_count == 0  # the request laid nothing out

    waiting = c.get(page)
    assert waiting.status_code == 200 and waiting["Refresh"] == "1"
    text = waiting.content.decode()
    assert "正在生成 PDF" in text and "排队中" in text and "monthly-report-" in text
    back = re.search(r'href="([^"]*)">返回<', text).group(1)
    assert back.startswith(reverse(REPORT)) and "format" not in back and "month=" in back
    assert c.get(page).status_code == 200  # still waiting: nothing made yet

    run_worker()
    assert queued.call_count == 1
    made = c.get(page)
    assert made["Content-Type"] == "application/pdf" and made.content.startswith(b"%PDF-")
    assert "monthly-report-" in made["Content-Disposition"]
    # Asked for again, unchanged: the stored PDF at once, no second task, nothing laid out again.
    again = c.get(reverse(REPORT), {"format": "pdf", "month": f"{timezone.localdate():%Y-%m}"})
    assert again["Content-Type"] == "application/pdf" and again.content == made.content
    run_worker()
    assert queued.call_count == 1


def test_asking_twice_while_the_document_is_made_queues_it_once(client, world, queued):
    from django_tasks_db.models import DBTaskResult

    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    first = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    second = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    assert first == second and DBTaskResult.objects.count() == 1
    bring_to(world, "dispatched", title="光明路灯不亮")  # new data: another document, another task
    third = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    assert third != first and DBTaskResult.objects.count() == 2
    run_worker()
    assert queued.call_count == 2
    assert c.get(first).content != c.get(third).content


def test_a_document_page_is_only_its_askers(client, world, queued, django_user_model):
    bring_to(world, "dispatched", title="光明井盖缺失")
    page = document_path(leader(client, world).get(reverse(REPORT), {"format": "pdf"}))
    run_worker()
    client.force_login(world.users["dispatcher"])
    assert client.get(page).status_code == 404  # another user: as if there were no such document
    assert client.get("/documents/0b6f5c1e-7d55-4a55-9a83-2a4e8d0c3b11/").status_code == 404
    assert client.get("/documents/not-a-task/").status_code == 404
    client.logout()
    assert client.get(page).status_code == 302  # to the sign-in page


def test_a_failed_document_says_so_and_offers_a_new_try(client, world, queued):
    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    source = reverse(REPORT) + "?format=pdf"
    page = document_path(c.get(source))
    queued.side_effect = RuntimeError("the renderer fell over")
    run_worker()
    failed = c.get(page)
    text = failed.content.decode()
    assert failed.status_code == 500 and "PDF 生成失败" in text and "Refresh" not in failed
    again = re.search(r'id="document-again" href="([^"]*)"|href="([^"]*)" id="document-again"', text)
    assert (again.group(1) or again.group(2)).replace("&amp;", "&") == source
    queued.side_effect = fake_pdf
    retried = document_path(c.get(source))
    assert retried != page  # a new task, not the failed one
    run_worker()
    assert c.get(retried)["Content-Type"] == "application/pdf"


def test_a_document_no_worker_made_is_laid_out_by_the_request_that_finds_it_late(client, world, queued, settings):
    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    page = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    assert c.get(page).status_code == 200
    settings.MINSHENG_DOCUMENT_WAIT_SECONDS = 0  # waited long enough: no worker is coming
    late = c.get(page)
    assert late["Content-Type"] == "application/pdf" and queued.call_count == 1
    # A worker that runs after all finds the document stored and does not lay it out again.
    run_worker()
    assert queued.call_count == 1


def test_a_document_made_where_this_machine_cannot_read_it_is_laid_out_here(client, world, queued):
    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    page = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    run_worker()
    pdf.pdf_store().clear()  # the worker's store is not this machine's (or was trimmed since)
    sent = c.get(page)
    assert sent["Content-Type"] == "application/pdf" and queued.call_count == 2


def test_with_the_store_off_the_request_lays_the_document_out(client, world, queued, settings):
    settings.MINSHENG_PDF_CACHE_MB = 0
    bring_to(world, "dispatched", title="光明井盖缺失")
    sent = leader(client, world).get(reverse(REPORT), {"format": "pdf"})
    assert sent["Content-Type"] == "application/pdf" and queued.call_count == 1


@pytest.mark.django_db(transaction=True)  # the worker's threads see what the test committed
def test_the_worker_runs_queued_documents_in_its_own_thread(migration_data, client, world, queued, settings):
    """The worker's loop (not run until idle): its tasks thread makes the document while the loop
    goes on, and stops with the worker."""
    import threading
    import time

    settings.MINSHENG_TASK_POLL_SECONDS = 0.05
    c = leader(client, world)  # (no demand: events are append-only, and this test's rows are flushed)
    page = document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    worker = Worker(poll_seconds=0.05, sweeps=False)
    with mock.patch("signal.signal"):  # the worker runs in a thread here, not the main one
        running = threading.Thread(target=worker.run)
        running.start()
        try:
            deadline = time.monotonic() + 20
            while queued.call_count == 0 and time.monotonic() < deadline:
                time.sleep(0.05)
        finally:
            worker.stop()
            running.join(timeout=20)
    assert not running.is_alive() and queued.call_count == 1
    assert c.get(page)["Content-Type"] == "application/pdf"


def test_finished_document_tasks_are_removed_after_a_day(client, world, queued):
    from django_tasks_db.models import DBTaskResult

    bring_to(world, "dispatched", title="光明井盖缺失")
    c = leader(client, world)
    document_path(c.get(reverse(REPORT), {"format": "pdf"}))
    run_worker()
    bring_to(world, "dispatched", title="光明路灯不亮")
    document_path(c.get(reverse(REPORT), {"format": "pdf"}))  # queued, not yet run
    assert documents.remove_finished() == 0
    two_days_ago = timezone.now() - timedelta(days=2)
    DBTaskResult.objects.filter(finished_at__isnull=False).update(finished_at=two_days_ago)
    assert documents.remove_finished() == 1
    assert DBTaskResult.objects.get().status == "READY"  # the one still queued stays
    DBTaskResult.objects.update(enqueued_at=two_days_ago)  # queued two days ago, never run
    assert documents.remove_finished() == 1
    assert not DBTaskResult.objects.exists()


def test_with_tasks_run_when_queued_no_document_page_exists(client, world):
    """The tests' immediate backend keeps no results: any document page is a 404, not an error."""
    client.force_login(world.users["leader"])
    for result_id in ("abc", "-1", "0b6f5c1e-7d55-4a55-9a83-2a4e8d0c3b11"):
        assert client.get(f"/documents/{result_id}/").status_code == 404
