"""The reproducibility claim, checked: under two OpenBLAS set-ups (thread count and kernel) the trained weights
differ bitwise, yet everything the course prints is identical."""

import json
import os
import subprocess
import sys

import pytest

from .conftest import ROOT

SCRIPT = r"""
import hashlib, io, json, contextlib
import numpy as np, threadpoolctl
import answer_key
from fashion_helpers import data
R = answer_key.reference()
pixels, labels = data.load_data("data/fashion_data.csv")
rng = np.random.default_rng(42)
X_train, Y_train, X_dev, Y_dev = data.split_dev_train(pixels, labels, 400, rng)
log = io.StringIO()
with contextlib.redirect_stdout(log):
    params, history = R.gradient_descent(X_train, Y_train, 0.10, 500, rng, print_every=10)
dev = R.get_accuracy(R.make_predictions(X_dev, *params), Y_dev)
blas = [(i.get("internal_api"), i.get("architecture"), i.get("num_threads")) for i in threadpoolctl.threadpool_info()]
print(json.dumps({"blas": blas, "weights": hashlib.sha256(b"".join(p.tobytes() for p in params)).hexdigest(),
                  "printed": log.getvalue() + f"dev {dev:.2f}%"}))
"""


def run_under(threads: str, coretype: str) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": threads, "OPENBLAS_CORETYPE": coretype}
    out = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def second_kernel() -> str:
    flags = open("/proc/cpuinfo").read() if os.path.exists("/proc/cpuinfo") else ""
    return "SkylakeX" if " avx512f" in flags else "Sandybridge"


def test_printed_numbers_survive_a_change_of_blas_kernel_and_threads():
    a = run_under("1", "Haswell")
    b = run_under("2", second_kernel())
    if a["blas"] and a["blas"][0][0] != "openblas":
        pytest.fail(f"numpy does not use OpenBLAS here ({a['blas']}): this check needs OpenBLAS")
    assert a["blas"] != b["blas"], "the two set-ups ran the same BLAS configuration"
    assert a["weights"] != b["weights"], "the weights agree bitwise: the two set-ups did not exercise different kernels"
    assert a["printed"] == b["printed"]
    assert a["printed"].count("Iteration") == 51  # before the first update, every 10, and after the last
