"""Evaluate a category model on a labelled CSV: confusion matrix, per-class figures, throughput."""

import time

from django.core.management.base import BaseCommand, CommandError

from minsheng.routing import registry
from minsheng.routing.classifier import ModelIntegrityError, Router
from minsheng.routing.data import DataError, read_csv
from minsheng.routing.metrics import confusion, per_class, reliability
from minsheng.routing.models import RouterModel


class Command(BaseCommand):
    help = ("Evaluate the category router on a CSV (text,label). "
            "Last line: accuracy=<a> macro_f1=<f> ece=<e> n=<rows>")

    def add_arguments(self, parser):
        parser.add_argument("--csv", required=True, metavar="FILE", help="UTF-8 CSV with columns text,label.")
        parser.add_argument("--model", metavar="MODEL",
                            help="A registered version or a model file (default: the active version).")

    def _router(self, model: str | None) -> tuple[str, Router]:
        try:
            if model is None:
                entry = RouterModel.objects.filter(active=True).first()
                if entry is None:
                    raise CommandError("no active model: give --model or activate a version")
                return entry.version, registry.load(entry)
            entry = RouterModel.objects.filter(version=model).first()
            if entry is not None:
                return entry.version, registry.load(entry)
            path = registry.resolve_model_path(model)
            if not path.exists():
                raise CommandError(f"{model}: neither a registered version nor a model file")
            known = RouterModel.objects.filter(path=str(path)).first()
            return (known.version if known else path.name), Router.load(path, known.sha256 if known else None)
        except (ModelIntegrityError, OSError, EOFError) as exc:
            raise CommandError(str(exc)) from None

    def handle(self, *args, csv: str, model: str | None, **options):
        try:
            rows = read_csv(csv)
        except DataError as exc:
            raise CommandError(str(exc)) from None
        version, router = self._router(model)
        texts, gold = [t for t, _ in rows], [y for _, y in rows]
        started, cpu_started = time.perf_counter(), time.process_time()
        best = [router.top(t, 1)[0] for t in texts]  # one text per call, as intake calls it
        predicted = [code for code, _p in best]
        cpu_rate = len(texts) / max(time.process_time() - cpu_started, 1e-9)
        wall_rate = len(texts) / max(time.perf_counter() - started, 1e-9)
        labels = sorted(set(router.classes_) | set(gold))
        out = self.stdout.write
        out(f"model {version}; {len(texts)} rows from {csv}")
        out("confusion matrix (rows: true, columns: predicted)")
        matrix = confusion(gold, predicted, labels)
        width = max(len(x) for x in labels) + 2
        out(" " * width + "".join(f"{i:>6d}" for i in range(len(labels))))
        for i, label in enumerate(labels):
            out(f"{label:<{width}}" + "".join(f"{n:>6d}" for n in matrix[i]) + f"   ({i})")
        out(f"{'category':<{width}}{'precision':>10}{'recall':>10}{'f1':>10}{'n':>7}")
        figures = per_class(gold, predicted, labels)
        for label in labels:
            p, r, f, n = figures[label]
            out(f"{label:<{width}}{p:>10.4f}{r:>10.4f}{f:>10.4f}{n:>7d}")
        # CPU time is what one core spends per text; wall-clock also counts waiting for a core on a busy machine.
        out(f"throughput {cpu_rate:.0f} texts/s per CPU-second, {wall_rate:.0f} texts/s wall-clock "
            "(one text per call, calibrated top-1, one process)")
        # Calibration: is a suggestion shown at p % right p % of the time?
        correct = [a == b for a, b in zip(gold, predicted, strict=True)]
        ece, table = reliability([p for _code, p in best], correct)
        out(f"reliability of the top suggestion (temperature T={router.temperature:.3f})")
        out(f"{'probability':<14}{'n':>7}{'mean p':>10}{'right':>10}")
        for low, high, n, conf, acc in table:
            out(f"{f'{low:.1f}–{high:.1f}':<14}{n:>7d}{conf:>10.4f}{acc:>10.4f}")
        accuracy = sum(correct) / len(gold)
        macro_f1 = sum(figures[x][2] for x in labels if figures[x][3]) / sum(1 for x in labels if figures[x][3])
        out(f"accuracy={accuracy:.4f} macro_f1={macro_f1:.4f} ece={ece:.4f} n={len(gold)}")
