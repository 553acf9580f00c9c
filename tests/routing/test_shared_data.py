"""The router on the shared, real complaint data.  Those texts may not be redistributed, so
they are read from outside the repository (../shared/data/complaints, or
MINSHENG_COMPLAINTS_DIR) and the test skips, saying why, where they are absent."""

import time
from io import StringIO

import pytest
from django.core.management import call_command

from minsheng.routing.data import complaints_dir

DATA = complaints_dir()
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (DATA / "train.csv").exists(),
                       reason=f"the shared complaint data is not at {DATA} (set MINSHENG_COMPLAINTS_DIR); "
                              "its terms forbid keeping a copy in the repository"),
]


def test_trained_on_train_and_extra_the_router_classifies_dev_with_honest_probabilities(db, tmp_path, settings):
    settings.MINSHENG_MODELS_DIR = tmp_path
    cpu = time.process_time()
    # The calibration as train_router does it by default (5 folds on the rows that have a title).
    call_command("train_router", "--csv", str(DATA / "train.csv"), "--csv", str(DATA / "train_extra.csv"),
                 "--out", "shared.joblib", "--activate", stdout=StringIO())
    training_cpu = time.process_time() - cpu
    out = StringIO()
    call_command("evaluate_router", "--csv", str(DATA / "dev.csv"), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    figures = dict(part.split("=") for part in last.split())
    assert int(figures["n"]) == 645
    # Measured 0.927 / 0.926 (docs/routing.md, "Sixth round"); issue #33 asks for 0.935, not reached yet.
    assert float(figures["macro_f1"]) >= 0.92 and float(figures["accuracy"]) >= 0.92
    # Measured 0.030 with T fitted on 5-fold out-of-fold scores of train.csv.
    assert float(figures["ece"]) <= 0.05
    # The calibration folds reuse the full fit's counts: training with them stays a minute or two of CPU.
    assert training_cpu < 240, f"training took {training_cpu:.0f} s of CPU"
