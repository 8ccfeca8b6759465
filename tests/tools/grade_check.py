"""The slow part of class grading (``make grade-check``; not named test_*.py, so ``pytest tests`` and
``make unit`` leave it out; ``make grade-check`` names it), on a real Dask cluster (a scheduler and two
``dask worker`` processes on the loopback address):

- two submissions, one foreign and one hostile (it tries to read, write, list, reach the network, exhaust memory,
  plant links to the instructor's source, tamper with the gradebook), graded on the local engine each in its
  sandbox: refused in one line, contained, one gradebook, a CSV, feedback without hidden tests, a second run
  grading nothing twice;
- a sweep on the cluster writes the same tables as a local sweep;
- the generated class of 40, graded end to end as an instructor would live it: ``fashion-course grade
  --scheduler ADDRESS`` stopped with Ctrl-C (SIGINT) partway; the same command again (here through the API)
  resumes, and while it runs one worker is killed (a replacement joins, as on a cluster). At the end every
  submission has exactly its expected result, none is lost or graded twice, the hostile ones were contained and
  nothing outside their scratch folders was touched."""

import csv
import glob
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time

import pandas as pd
import pytest
from nbgrader.api import Gradebook

from fashion_helpers.tools import classgrade, grading, sweep, values

from . import classroom
from .classroom import listener  # noqa: F401  (a fixture)
from .dask_cluster import ROOT, Cluster

LIMITS = ["--cell-timeout", "10", "--notebook-timeout", "20", "--memory", "2048"]


def _markers(course) -> int:
    folder = classgrade.state_dir(course, grading.ASSIGNMENT) / "results"
    return len(list(folder.glob("*.json"))) if folder.is_dir() else 0


def _wait_for(course, count: int, process=None, seconds: float = 400) -> None:
    deadline = time.monotonic() + seconds
    while _markers(course) < count:
        if time.monotonic() > deadline or (process is not None and process.poll() is not None):
            raise AssertionError(f"only {_markers(course)} submissions recorded, {count} awaited")
        time.sleep(0.2)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    running = Cluster(tmp_path_factory.mktemp("dask"), workers=2)
    yield running
    running.close()


@pytest.fixture(scope="module")
def small_course(tmp_path_factory):
    return classroom.course(tmp_path_factory.mktemp("class") / "course")


def test_a_few_submissions_graded_each_in_its_sandbox_into_one_gradebook(small_course, listener):  # noqa: F811
    course = small_course
    port, reached = listener
    class_ = {
        "foreign": "damaged:other_assignment",
        "escape": "hostile:escape",
    }
    for student, kind in class_.items():
        classroom.hand_in(course, student, kind, port=port)
    before = set(glob.glob(f"{tempfile.gettempdir()}/class-grading-*"))
    source = course / "source" / "fashion" / f"{classroom.NOTEBOOK}.ipynb"
    source_bytes = source.read_bytes()
    limits = {"cell_seconds": 30, "notebook_seconds": 60, "megabytes": 2048, "file_megabytes": 32}
    outcome = classgrade.grade_class(course, limits=limits, workers=2, progress=False)
    by_student = {r["student"]: r for r in outcome["results"]}
    assert sorted(by_student) == sorted(class_) and outcome["failed"] == {}
    assert by_student["foreign"]["status"] == "refused"
    assert by_student["foreign"]["reason"] == (
        "it holds 05_gradient_descent.ipynb, not a notebook of this assignment (02_activations)"
    )
    for student in ("escape",):
        assert (by_student[student]["status"], by_student[student]["graded"]) == ("graded", 3.0), by_student[student]
    # the hostile cell ran in nbgrader's kernel, and found nothing to read, nowhere to write, no network
    seen = classroom.evidence(course, "escape")
    for what, outcome_ in seen.items():
        if what.startswith("read ") or what == "list":
            assert outcome_ == "FileNotFoundError", (what, outcome_)
    assert seen["write"] in ("FileNotFoundError", "PermissionError", "OSError")
    assert not (course / "pwned.txt").exists()
    assert seen["environment"] == "OK []"
    assert seen["loopback"] == "ConnectionRefusedError" and reached == []
    assert seen["internet"] == "OSError" and seen["dns"] == "gaierror"
    assert seen["memory"] == "MemoryError" and seen["numpy memory"] == "MemoryError"
    assert seen["file size"] == "OSError"  # EFBIG at the cap on any file written (32 MB here)
    # the links it planted to the instructor's source were removed before trusted code read the scratch folder
    assert all(v == "OK None" for k, v in seen.items() if k.startswith("plant ")) and len(seen) == 18
    assert sorted(p.name for p in (course / "feedback" / "escape" / "fashion").iterdir()) == [
        f"{classroom.NOTEBOOK}.html"
    ]
    assert sorted(p.name for p in (course / "autograded" / "escape" / "fashion").iterdir()) == [
        f"{classroom.NOTEBOOK}.ipynb"
    ]
    assert source.read_bytes() == source_bytes
    # one gradebook: the isolated grader's points, the answers waiting for formgrader
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", grading.COURSE_ID) as gradebook:
        scores = {s: gradebook.find_submission("fashion", s) for s in class_}
        assert {s: sub.score for s, sub in scores.items()} == {
            "foreign": 0.0,
            "escape": 3.0,
        }
        assert scores["escape"].needs_manual_grade and not scores["foreign"].needs_manual_grade
        # what the kernel wrote into its scratch gradebook is gone: the hand-in's own timestamp, no free marks
        assert seen["tamper"] == "OK None"
        assert scores["escape"].timestamp.isoformat() == "2026-01-01T12:00:00"
    with open(outcome["csv"]) as table:
        rows = list(csv.reader(table))
    assert rows == [
        ["student", "02_activations", "total", "max_points", "status"],
        ["escape", "3", "3", "3", "graded"],
        ["foreign", "0", "0", "3", "refused"],
    ]
    feedback = (course / "feedback" / "escape" / "fashion" / f"{classroom.NOTEBOOK}.html").read_text()
    assert "Grade from the isolated grader" in feedback
    assert "HIDDEN TESTS" not in feedback and "hidden=True" not in feedback
    assert set(glob.glob(f"{tempfile.gettempdir()}/class-grading-*")) == before, "every scratch folder removed"
    # the same command again: every submission has its marker, nothing is graded twice
    again = classgrade.grade_class(course, limits=limits, workers=2, progress=False)
    assert (again["skipped"], again["graded_now"]) == (2, 0)
    lines = classgrade.summary(again)
    assert lines[0].startswith("2 of 2 submissions recorded (0 graded now, 2 already), 1 refused, 0 failed")
    assert "refused foreign: it holds 05_gradient_descent.ipynb" in "\n".join(lines)


def test_a_sweep_on_the_cluster_writes_the_same_tables_as_a_local_one(cluster, tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    run = values.resolve(["03"], ROOT / "notebooks")  # a notebook with a seed, and seconds to run
    grid = {"hidden_neurons": [8, 16]}
    sweep.run_sweep(run, grid, [0], tmp_path / "local", progress=False)
    sweep.run_sweep(run, grid, [0], tmp_path / "cluster", progress=False, scheduler=cluster.address)
    for table in ("sweep.csv", "runs.csv", "sweep.md"):
        assert (tmp_path / "cluster" / table).read_text() == (tmp_path / "local" / table).read_text(), table
    assert len(pd.read_csv(tmp_path / "cluster" / "runs.csv")) == 2


def test_a_class_of_40_graded_stopped_resumed_and_a_worker_killed(tmp_path, cluster, listener):  # noqa: F811
    port, reached = listener
    started = time.monotonic()
    course = classroom.course(tmp_path / "course")
    kinds = classroom.plan()
    for student, kind in kinds.items():
        classroom.hand_in(course, student, kind, port=port)
    assert len(kinds) == 40
    # 1. the command, on the cluster, stopped with Ctrl-C once a third of the class is recorded
    command = [
        sys.executable,
        "-m",
        "fashion_helpers.tools.cli",
        "grade",
        "--course",
        str(course),
        "--scheduler",
        cluster.address,
        "--quiet",
        *LIMITS,
    ]
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    _wait_for(course, 13, first)
    first.send_signal(signal.SIGINT)
    out, err = first.communicate(timeout=60)
    assert first.returncode == 130, (out, err)
    assert "stopped: what finished is recorded" in err and "run the same command again" in err
    stopped_at = _markers(course)
    assert 13 <= stopped_at < 40
    print(f"\nstopped after {stopped_at} of 40 ({time.monotonic() - started:.0f} s)")

    # 2. the same run again: it resumes; a worker is killed mid-run, a fresh one joins
    def kill_one():
        _wait_for(course, stopped_at + 4)
        cluster.kill("w0")
        cluster.add("w2")

    killer = threading.Thread(target=kill_one)
    killer.start()
    limits = {"cell_seconds": 10, "notebook_seconds": 20, "megabytes": 2048}
    outcome = classgrade.grade_class(course, scheduler=cluster.address, limits=limits, progress=False)
    killer.join()
    assert cluster.workers["w0"].poll() is not None, "w0 was killed while the class was graded"
    assert outcome["failed"] == {}, outcome["failed"]
    assert outcome["skipped"] == stopped_at and outcome["graded_now"] == 40 - stopped_at
    print(f"resumed and finished ({time.monotonic() - started:.0f} s)")
    print("\n".join(classgrade.summary(outcome)))

    # 3. every submission as expected
    results = {r["student"]: r for r in outcome["results"]}
    assert sorted(results) == sorted(kinds)
    for student, kind in kinds.items():
        want, got = classroom.expected(kind), results[student]
        assert got["status"] == want["status"], (student, got)
        if want["status"] == "refused":
            assert want["words"] in got["reason"] and "\n" not in got["reason"], (student, got["reason"])
            continue
        lost = {v["exercise"] for v in got["verdicts"] if v["points"] < v["max_points"]}
        assert (got["graded"], lost) == (want["graded"], want["lost"]), (student, got["verdicts"])
        if "problem" in want:
            assert any(want["problem"] in p for p in got["problems"]), (student, got["problems"])
        else:
            assert got["problems"] == [], (student, got["problems"])
        if "note" in want:
            assert any(want["note"] in n for n in got["notes"]), (student, got["notes"])
    # the hostile ones were contained
    escape = classroom.evidence(course, "hostile_read")
    assert escape and all(v == "FileNotFoundError" for k, v in escape.items() if k.startswith("read ") or k == "list")
    assert escape["environment"] == "OK []" and not (course / "pwned.txt").exists()
    network = classroom.evidence(course, "hostile_network")
    assert network == {"loopback": "ConnectionRefusedError", "internet": "OSError", "dns": "gaierror"}
    assert reached == []
    assert classroom.evidence(course, "hostile_memory") == {"memory": "MemoryError", "numpy memory": "MemoryError"}
    graded_read = next(v for v in results["hostile_graded_read"]["verdicts"] if v["exercise"] == "ReLU")
    assert "grading sandbox: reading" in graded_read["message"]
    # one gradebook, one CSV row per student, feedback without hidden tests
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", grading.COURSE_ID) as gradebook:
        recorded = {s.student.id: s.score for s in gradebook.find_assignment("fashion").submissions}
    assert recorded == {s: results[s].get("graded", 0.0) for s in kinds}
    with open(outcome["csv"]) as table:
        rows = {row["student"]: row for row in csv.DictReader(table)}
    assert sorted(rows) == sorted(kinds) and all(float(rows[s]["total"]) == recorded[s] for s in kinds)
    for folder in (course / "feedback").iterdir():
        text = "".join(p.read_text() for p in folder.rglob("*.html"))
        assert "HIDDEN TESTS" not in text and "hidden=True" not in text, folder.name
    assert not [
        p
        for p in os.listdir(course)
        if p
        not in (
            "gradebook.db",
            "grading",
            "nbgrader_config.py",
            "release",
            "source",
            "submitted",
            "autograded",
            "feedback",
        )
        and not p.startswith("nbgrader-")
    ], "nothing written into the course but nbgrader's folders"
    print(f"class of 40 graded in {time.monotonic() - started:.0f} s")
