"""Run each part of the demo once (see models.SeedMark)."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import SeedMark


def seed_once(part: str, seed: Callable[[], str], *, seeded_before: Callable[[], bool] | None = None) -> str:
    """Run ``seed`` (which returns a summary line) unless ``part`` is marked as seeded.

    ``seeded_before`` recognises a data directory seeded before marks were kept, by the part's
    own distinctive rows: the mark is then written and nothing is added."""
    mark = SeedMark.objects.filter(part=part).first()
    if mark is not None:
        return f"{part}: already seeded"
    if seeded_before is not None and seeded_before():
        SeedMark.objects.create(part=part, seeded_at=timezone.now(), summary="seeded before marks were kept")
        return f"{part}: already seeded"
    # The rows and the mark together: an interrupted run leaves neither, and the next run redoes the part.
    with transaction.atomic():
        summary = seed()
        SeedMark.objects.create(part=part, seeded_at=timezone.now(), summary=summary)
    return summary
