"""PDFs laid out by the worker: documents that cost too much to lay out within a request.

The request renders the document's HTML, as for any PDF (``core.pdf``), and sends the stored PDF
of that HTML when there is one.  When there is none it does not lay the document out itself (a
month's assessment report takes about a second of CPU): it queues ``lay_out`` — one of Django's
tasks, kept in the database by django-tasks-db and run by the worker (``notifications.worker``) —
and sends the user to the document's page (``core.views.document``), which says that the document is
being made and loads itself again every second until the PDF is in the store, then sends it.

Nothing is lost on the way: a task that fails says so and offers to try again; a document not made
within ``MINSHENG_DOCUMENT_WAIT_SECONDS`` (no worker running, or a worker that died with it) or
made where this machine cannot read it (a worker on another machine with its own store) is laid out
by the request that finds it so, as it would be without the worker.  The task holds the HTML, not
a way to render it again, so the PDF is the document the user asked for at the moment they asked.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.tasks import TaskResult, TaskResultStatus, task
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.template.loader import render_to_string
from django.utils import timezone

from . import pdf

log = logging.getLogger("minsheng.pdf")

DOCUMENTS_QUEUE = "documents"
# Finished tasks hold their document's HTML; they are removed this long after they finished.
KEEP_FINISHED = timedelta(days=1)


@task(queue_name=DOCUMENTS_QUEUE)
def lay_out(*, key: str, html: str, user: int, filename: str, back: str, source: str) -> str:
    """Lay ``html`` out as a PDF into the store under ``key`` (unless it is there already).

    ``user``, ``filename``, ``back`` and ``source`` are for the document's page: who may fetch it,
    the name it is sent under, the page it belongs to and the address that asked for it."""
    store = pdf.pdf_store()
    if store is None:
        raise RuntimeError("the PDF store is turned off (MINSHENG_PDF_CACHE_MB=0): "
                           "documents are laid out in the request")
    if store.get(key) is None:
        store.put(key, pdf.html_to_pdf(html))
    return key


def _waiting(user_id: int, key: str) -> TaskResult | None:
    """A task of ``user_id`` still making the document ``key``, queued recently enough that a
    worker may yet make it: a second click waits for it rather than queueing the work twice."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(lay_out.get_backend(), DatabaseBackend):
        return None  # another backend keeping results: no look-up, a second click queues again
    since = timezone.now() - timedelta(seconds=settings.MINSHENG_DOCUMENT_WAIT_SECONDS)
    found = (DBTaskResult.objects.filter(task_path=lay_out.module_path, enqueued_at__gte=since,
                                         status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
                                         args_kwargs__kwargs__key=key, args_kwargs__kwargs__user=user_id)
             .order_by("-enqueued_at").first())
    return found.task_result if found else None


def deferred_pdf_response(request: HttpRequest, template: str, context: dict, filename: str,
                          back: str) -> HttpResponse:
    """The PDF of ``template`` when it is stored (or the store is off: laid out here), else the
    page of a document the worker is making now.  ``back``: the page the document belongs to.

    Only for documents without personal data, as ``pdf_response(reuse=True)``: they are stored."""
    html = render_to_string(template, context, request=request)
    store = pdf.pdf_store()
    if store is None or not lay_out.get_backend().supports_get_result:
        # Nowhere to keep the worker's PDF, or tasks that cannot be waited for (the immediate
        # backend of the tests): made here, as any reused document (stored when there is a store).
        return pdf.pdf_response_of(pdf.reused_pdf(html), filename)
    key = pdf.document_key(html)
    if (body := store.get(key)) is not None:
        return pdf.pdf_response_of(body, filename)
    result = _waiting(request.user.pk, key) or lay_out.enqueue(key=key, html=html, user=request.user.pk,
                                                               filename=filename, back=back,
                                                               source=request.get_full_path())
    return redirect("document", result_id=result.id)


def document_of(user, result_id: str) -> TaskResult:
    """The document task ``result_id`` if ``user`` asked for it; otherwise 404, the same answer as
    for a task that does not exist, so that another user's document says nothing."""
    if not lay_out.get_backend().supports_get_result:
        raise Http404("no such document")  # tasks run when queued (the tests): no document waits
    try:
        result = lay_out.get_result(result_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, ValidationError, ValueError) as exc:
        raise Http404("no such document") from exc
    if result.kwargs.get("user") != user.pk:
        raise Http404("no such document")
    return result


def made_pdf(result: TaskResult) -> HttpResponse | None:
    """The PDF of a document task when it can be sent now, else None (still to be made, or failed).

    A document the worker made but this machine's store does not hold (a worker on another
    machine, a store trimmed meanwhile), or one no worker made within
    ``MINSHENG_DOCUMENT_WAIT_SECONDS``, is laid out here and stored for the next request."""
    kwargs = result.kwargs
    if result.status == TaskResultStatus.SUCCESSFUL:
        store = pdf.pdf_store()
        if store is not None and (body := store.get(kwargs["key"])) is not None:
            return pdf.pdf_response_of(body, kwargs["filename"])
        reason = "made by a worker, but not in this machine's store"
    elif result.status == TaskResultStatus.FAILED:
        log.error("document %s (%s) failed: %s", result.id, kwargs["filename"],
                  result.errors[-1].traceback if result.errors else "no error recorded")
        return None
    elif (waited := waited_seconds(result)) > settings.MINSHENG_DOCUMENT_WAIT_SECONDS:
        reason = f"not made by a worker within {waited:.0f} s"
    else:
        return None
    log.warning("document %s (%s) laid out in the request: %s", result.id, kwargs["filename"], reason)
    body = pdf.html_to_pdf(kwargs["html"])
    if (store := pdf.pdf_store()) is not None:
        store.put(kwargs["key"], body)
    return pdf.pdf_response_of(body, kwargs["filename"])


def waited_seconds(result: TaskResult) -> float:
    """How long the document has been waited for, since it was asked for."""
    return (timezone.now() - result.enqueued_at).total_seconds()


def remove_finished() -> int:
    """Remove document tasks finished more than ``KEEP_FINISHED`` ago, and those queued that long
    ago and never run: each holds its document's HTML.  A periodic job of the worker."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    if not isinstance(lay_out.get_backend(), DatabaseBackend):
        return 0
    before = timezone.now() - KEEP_FINISHED
    tasks = DBTaskResult.objects.filter(task_path=lay_out.module_path)
    removed, _ = (tasks.filter(finished_at__lt=before) | tasks.filter(enqueued_at__lt=before,
                                                                      status=TaskResultStatus.READY)).delete()
    return removed
