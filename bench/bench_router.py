"""Category router throughput: one text per call (as intake calls it), on one core.

    .venv/bin/python bench/bench_router.py [--model FILE] [--passes 5]

With the shared complaint data present (../shared/data/complaints or MINSHENG_COMPLAINTS_DIR)
it trains on train.csv + train_extra.csv (the chosen configuration, without the calibration
folds, which do not change the speed) and times dev.csv's texts; otherwise it trains on and
times texts from the demo generator.  Or give a trained model with --model.  Each pass
classifies every text once through ``top(text, 3)`` (vectorisation and calibrated
probabilities included); prints the median and best pass, and the load time of a saved model.
Target: ≥ 2,000 texts/s.  Threads are limited to one so that "one core" holds.

    .venv/bin/python bench/bench_router.py --cv 0,1,2 [--folds 5]

instead runs the protocol by which the configuration is chosen (docs/routing.md): stratified
cross-validation of the chosen configuration on train.csv, train_extra.csv in every training fold
and never scored, one shuffle per seed; prints each seed's macro-F1 (mean ± sd over its folds), the
mean over all folds and the CPU time.  dev.csv is not read.
"""

import argparse
import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import random  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", help="A saved model file (default: train one, see above).")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--cv", metavar="SEEDS", help="Cross-validate instead, one shuffle per seed (e.g. 0,1,2).")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    from _django import start_django

    start_django()
    from django.core.management import call_command

    from minsheng.demo.texts import category_codes, compose_demand
    from minsheng.routing.classifier import Router, recommended_config
    from minsheng.routing.data import complaints_dir, read_csv
    from minsheng.routing.text import join_text

    call_command("migrate", "--no-input", verbosity=0)
    data = complaints_dir()
    if args.cv:
        cross_validation(data, [int(s) for s in args.cv.split(",")], args.folds)
        return
    if (data / "dev.csv").exists():
        train = read_csv(data / "train.csv") + read_csv(data / "train_extra.csv")
        texts = [t for t, _ in read_csv(data / "dev.csv")]
        source = f"shared data (train + train_extra → dev.csv, {len(texts)} texts)"
    else:
        rng = random.Random(1)
        rows = [(join_text(d.title, d.description), leaf.split(".")[0]) for leaf in category_codes()
                for d in (compose_demand(rng, leaf, "玫瑰城社区5号楼") for _ in range(40))]
        train, texts = rows[::2], [t for t, _ in rows[1::2]]
        source = f"demo generator texts ({len(texts)} texts; the shared data is not at {data})"
    if args.model:
        started = time.perf_counter()
        router = Router.load(args.model)
        print(f"loaded {args.model} in {time.perf_counter() - started:.1f} s")
    else:
        started = time.perf_counter()
        router = Router(recommended_config(calib_folds=0)).fit([t for t, _ in train], [y for _, y in train])
        print(f"trained on {len(train)} rows in {time.perf_counter() - started:.1f} s; {router.n_features} features")
        path = Path(os.environ["MINSHENG_DATA_DIR"]) / "bench-router.joblib"
        router.save(path)
        started = time.perf_counter()
        router = Router.load(path)
        print(f"saved {path.stat().st_size / 1e6:.1f} MB; loaded in {time.perf_counter() - started:.1f} s")
        path.unlink()  # trained on data that may not be kept around (see docs/routing.md)
    print(f"fast path vs scikit-learn: max |Δscore| = {router.check_fast_path(texts[:200]):.1e}")
    for text in texts[:50]:
        router.top(text, 3)
    rates, cpu_rates = [], []
    for _ in range(args.passes):
        started, cpu = time.perf_counter(), time.process_time()
        for text in texts:
            router.top(text, 3)
        rates.append(len(texts) / (time.perf_counter() - started))
        cpu_rates.append(len(texts) / (time.process_time() - cpu))
    print(f"source: {source}")
    print(f"one text per call: median {statistics.median(rates):.0f} texts/s, best {max(rates):.0f} texts/s "
          f"over {args.passes} passes ({', '.join(f'{r:.0f}' for r in rates)})")
    # On a shared machine wall time includes waiting for the core; CPU time is what one core spends.
    print(f"per CPU-second of this process: median {statistics.median(cpu_rates):.0f} texts/s, "
          f"best {max(cpu_rates):.0f} texts/s")


def cross_validation(data: Path, seeds: list[int], folds: int) -> None:
    """The configuration's cross-validated macro-F1 on the shared training files (never dev)."""
    import numpy as np

    from minsheng.routing.classifier import cross_validate, recommended_config
    from minsheng.routing.data import read_csv

    if not (data / "train.csv").exists():
        sys.exit(f"--cv needs the shared complaint data's train.csv, not found at {data}")
    train = read_csv(data / "train.csv")
    extra = read_csv(data / "train_extra.csv") if (data / "train_extra.csv").exists() else []
    texts, labels = [t for t, _ in train], [y for _, y in train]
    every = []
    for seed in seeds:
        cpu = time.process_time()
        _, f1s = cross_validate(recommended_config(calib_folds=0), texts, labels, extra, folds=folds, seed=seed)
        every += f1s
        print(f"seed {seed}: macro-F1 {np.mean(f1s):.4f} ± {np.std(f1s):.4f} over {folds} folds "
              f"({time.process_time() - cpu:.0f} s CPU)", flush=True)
    print(f"{len(train)} rows of train.csv scored, {len(extra)} of train_extra.csv in every training fold; "
          f"mean of {len(every)} folds {np.mean(every):.4f}")


if __name__ == "__main__":
    main()
