"""The versioned model registry: which trained model is active, loaded once per process and
reloaded when an administrator activates another version.  Nothing is downloaded: a model is
a file under MINSHENG_MODELS_DIR written by ``train_router``."""

import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction

from minsheng.core import clock, versioned

from .models import RouterModel

if TYPE_CHECKING:  # the classifier is imported once a model is used (see routing.text)
    from .classifier import Router

log = logging.getLogger("minsheng.routing")
_lock = threading.Lock()
_loaded: dict[str, "Router"] = {}  # version → router; at most the active one


def models_dir() -> Path:
    path = Path(settings.MINSHENG_MODELS_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def resolve_model_path(name: str | Path) -> Path:
    """A bare file name lives in the models directory; a path is taken as given."""
    path = Path(name)
    return models_dir() / path if path.parent == Path(".") else path.resolve()


def register(router: "Router", path: Path, sha256: str, *, metrics: dict | None = None,
             training: dict | None = None, activate: bool = False) -> RouterModel:
    at = clock.now()
    base = version = f"{at:%Y%m%d-%H%M%S}-{sha256[:8]}"
    n = 1
    while RouterModel.objects.filter(version=version).exists():  # the same file registered again
        n += 1
        version = f"{base}-{n}"
    with transaction.atomic():
        entry = RouterModel.objects.create(version=version, path=str(path), sha256=sha256,
                                           labels=list(router.classes_), metrics=metrics or {},
                                           training=training or {}, trained_at=at)
        if activate:
            activate_version(entry)
    return entry


def activate_version(entry: RouterModel) -> None:
    """Make ``entry`` the one active model (every process picks it up on its next suggestion)."""
    with transaction.atomic():
        RouterModel.objects.filter(active=True).exclude(pk=entry.pk).update(active=False)
        RouterModel.objects.filter(pk=entry.pk).update(active=True)
        versioned.bump()  # the processes' copies of the active entry (active())
    entry.active = True


def load(entry: RouterModel) -> "Router":
    """The router of ``entry``, from this process's cache or its (checksum-verified) file."""
    from .classifier import Router

    with _lock:
        router = _loaded.get(entry.version)
        if router is None:
            router = Router.load(entry.path, sha256=entry.sha256)
            _loaded.clear()  # keep only one model in memory
            _loaded[entry.version] = router
        return router


def active() -> tuple[RouterModel, "Router"] | None:
    """The active model and its router, or None when there is none or its file is unusable
    (suggestions then stay off and the problem is logged, never a failed request)."""
    # This process's copy of the active entry: reloaded when one is saved, deleted or activated
    # (core.versioned; watched in apps.py).
    entry = versioned.cached("routing.active-model", lambda: RouterModel.objects.filter(active=True).first(),
                             keep_none=True)
    if entry is None:
        return None
    from .classifier import ModelIntegrityError

    try:
        return entry, load(entry)
    except (OSError, ModelIntegrityError, ValueError, EOFError) as exc:
        log.error("router model %s cannot be loaded: %s", entry.version, exc)
        return None
