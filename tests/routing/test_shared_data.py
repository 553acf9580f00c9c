"""The router on the shared, real complaint data.  Those texts may not be redistributed, so
they are read from outside the repository (../shared/data/complaints, or
MINSHENG_COMPLAINTS_DIR) and the test skips, saying why, where they are absent."""

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


def test_trained_on_train_and_extra_the_router_classifies_dev(db, tmp_path, settings, capsys):
    from io import StringIO

    settings.MINSHENG_MODELS_DIR = tmp_path
    # No calibration folds here: they change probabilities, not the predicted category.
    call_command("train_router", "--csv", str(DATA / "train.csv"), "--csv", str(DATA / "train_extra.csv"),
                 "--out", "shared.joblib", "--activate", "--calib-folds", "0", stdout=StringIO())
    out = StringIO()
    call_command("evaluate_router", "--csv", str(DATA / "dev.csv"), stdout=out)
    last = out.getvalue().strip().splitlines()[-1]
    figures = dict(part.split("=") for part in last.split())
    assert int(figures["n"]) == 645
    # The measured figure is 0.929 (issue #8 asks for 0.92; 0.911 with --no-words, see docs/routing.md).
    assert float(figures["macro_f1"]) >= 0.92 and float(figures["accuracy"]) >= 0.92
