"""Train a category model from CSV files (text,label) and/or the deployment's own demands."""

import argparse
import time

from django.core.management.base import BaseCommand, CommandError

from minsheng.routing import registry
from minsheng.routing.classifier import Router, recommended_config
from minsheng.routing.data import DataError, read_csv
from minsheng.routing.services import leaf_training_rows_from_demands, training_rows_from_demands
from minsheng.routing.text import split_title


class Command(BaseCommand):
    help = "Train the category router and register it as a new model version."

    def add_arguments(self, parser):
        parser.add_argument("--csv", action="append", default=[], metavar="FILE",
                            help="UTF-8 CSV with columns text,label (repeatable).")
        parser.add_argument("--from-demands", action="store_true",
                            help="Also learn from this deployment's dispatched demands and dispatchers' corrections.")
        parser.add_argument("--out", required=True, metavar="MODEL",
                            help="Model file; a bare name is stored in the models directory.")
        parser.add_argument("--activate", action="store_true", help="Make the new version the active one.")
        parser.add_argument("--calib-folds", type=int, default=5,
                            help="Cross-validation folds for the probability calibration (0: none).")
        parser.add_argument("--words", action=argparse.BooleanOptionalAction, default=True,
                            help="A block of the texts' words besides the character n-grams (default; "
                                 "--no-words: character n-grams only, less accurate, about 1.5 times as fast).")

    def handle(self, *args, csv: list[str], from_demands: bool, out: str, activate: bool, calib_folds: int,
               words: bool = True, **options):
        if not csv and not from_demands:
            raise CommandError("give at least one --csv FILE or --from-demands")
        rows: list[tuple[str, str]] = []
        sources = {}
        try:
            for path in csv:
                file_rows = read_csv(path)
                rows += file_rows
                sources[str(path)] = len(file_rows)
        except DataError as exc:
            raise CommandError(str(exc)) from None
        if from_demands:
            own = training_rows_from_demands()
            rows += own
            sources["demands"] = len(own)
        if len({label for _, label in rows}) < 2:
            raise CommandError(f"need rows of at least two categories, got {len(rows)} rows")
        texts, labels = [t for t, _ in rows], [y for _, y in rows]
        # Rows without a title (detail only) train the model but do not calibrate it: intake texts have one.
        calib = [t for t in texts if split_title(t)[0]] or texts
        started = time.perf_counter()
        router = Router(recommended_config(calib_folds, words=words)).fit(texts, labels, calib_texts=calib)
        router.check_fast_path(texts[:50])
        leaf_rows: list[tuple[str, str]] = []
        if from_demands:
            # The second level: leaf categories, learnt from this deployment's dispatch decisions only.
            leaf_rows, parents = leaf_training_rows_from_demands()
            if len({label for _, label in leaf_rows}) >= 2:
                leaf_texts = [t for t, _ in leaf_rows]
                leaves = Router(recommended_config(calib_folds, words=words)).fit(
                    leaf_texts, [y for _, y in leaf_rows], calib_texts=[t for t in leaf_texts if split_title(t)[0]]
                    or leaf_texts)
                leaves.parents = {code: parents[code] for code in leaves.classes_}
                leaves.check_fast_path(leaf_texts[:50])
                router.leaves = leaves
                sources["demands (leaves)"] = len(leaf_rows)
            else:
                leaf_rows = []
        seconds = time.perf_counter() - started
        path = registry.resolve_model_path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        sha256 = router.save(path)
        entry = registry.register(router, path, sha256, activate=activate, training={
            "rows": len(rows), "sources": sources, "config": router.cfg.to_dict(),
            "temperature": router.temperature, "features": router.n_features, "fit_seconds": round(seconds, 1),
            "leaves": len(router.leaves.classes_) if router.leaves else 0,
            "leaf_temperature": router.leaves.temperature if router.leaves else None})
        self.stdout.write(f"trained on {len(rows)} rows ({', '.join(f'{k}: {v}' for k, v in sources.items())}) "
                          f"in {seconds:.1f}s; {router.n_features} features, T={router.temperature:.3f}")
        if router.leaves:
            self.stdout.write(f"leaf level: {len(router.leaves.classes_)} leaf categories from {len(leaf_rows)} "
                              f"dispatched demands, T={router.leaves.temperature:.3f}")
        self.stdout.write(f"version={entry.version} path={path} sha256={sha256} active={entry.active}")
