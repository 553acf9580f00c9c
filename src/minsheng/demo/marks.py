"""Run each part of the demo once (see models.SeedMark)."""

from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from .models import SeedMark


def is_seeded(part: str) -> bool:
    """Whether ``part`` of the demo has run (its mark is kept)."""
    return SeedMark.objects.filter(part=part).exists()


def seed_once(part: str, seed: Callable[[], str]) -> str:
    """Run ``seed`` (which returns a summary line) unless ``part`` is marked as seeded.

    A data directory seeded before marks were kept has no mark: ``seed`` then finds its own rows
    (each part's function checks them when called on its own), adds nothing, and is marked."""
    if is_seeded(part):
        return f"{part}: already seeded"
    # The rows and the mark together: an interrupted run leaves neither, and the next run redoes the part.
    with transaction.atomic():
        summary = seed()
        SeedMark.objects.create(part=part, seeded_at=timezone.now(), summary=summary)
    return summary
