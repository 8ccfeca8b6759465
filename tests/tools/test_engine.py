"""The engine: Dask's scheduler and workers as separate processes on the loopback address; every task's result
or failure reaches the caller once, a task whose worker is killed runs again on another one."""

import os
import threading
import time
from pathlib import Path

import pytest
from distributed import get_worker

from fashion_helpers.errors import CourseInputError
from fashion_helpers.tools import engine

from .dask_cluster import Cluster, free_port


def slow_square(n: int, marks: str, seconds: float) -> dict:
    """A task that says where it started (a file per start) and takes ``seconds``."""
    worker = get_worker().name
    Path(marks, f"{n}.{worker}.{os.getpid()}").write_text("")
    time.sleep(seconds)
    return {"n": n, "square": n * n, "worker": worker}


def broken(n: int) -> int:
    if n == 3:
        raise ValueError("three is not allowed")
    return n


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    """One cluster for the module (starting one takes seconds); the test that kills a worker comes last."""
    running = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield running
    running.close()


def test_a_failing_task_is_reported_once_and_costs_no_other(cluster):
    results, failures = {}, {}
    with engine.Engine(cluster.address) as running:
        running.run(broken, [(n, (n,)) for n in range(5)], results.__setitem__, failures.__setitem__, retries=1)
    assert results == {0: 0, 1: 1, 2: 2, 4: 4}
    assert list(failures) == [3] and failures[3].reason == "ValueError: three is not allowed"


def test_a_scheduler_nobody_runs_is_one_line_naming_the_fix():
    address = f"tcp://127.0.0.1:{free_port()}"
    with pytest.raises(CourseInputError, match=rf"no Dask scheduler answers at {address} .*'dask scheduler'"):
        with engine.Engine(address, connect_seconds=1):
            pass


def test_a_worker_killed_mid_run_loses_no_task(cluster, tmp_path):
    marks = tmp_path / "marks"
    marks.mkdir()
    results, failures = {}, {}

    def kill_w0_once_busy():
        while not any(p.name.split(".")[1] == "w0" for p in marks.iterdir()):
            time.sleep(0.05)
        cluster.kill("w0")

    killer = threading.Thread(target=kill_w0_once_busy)
    killer.start()
    with engine.Engine(cluster.address) as running:
        assert running.workers() == 2
        running.run(
            slow_square,
            [(n, (n, str(marks), 0.6)) for n in range(6)],
            on_result=results.__setitem__,
            on_failure=failures.__setitem__,
            label="square",
        )
    killer.join()
    assert failures == {}
    assert {n: r["square"] for n, r in results.items()} == {n: n * n for n in range(6)}
    started_on_w0 = {int(p.name.split(".")[0]) for p in marks.iterdir() if ".w0." in p.name}
    assert started_on_w0, "w0 had started a task before it was killed"
    rerun = [n for n in started_on_w0 if results[n]["worker"] == "w1"]
    assert rerun, "the task w0 was running when killed finished on w1"
