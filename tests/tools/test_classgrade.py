"""Grading a class, the quick part (the class of 40 and the real cluster: make grade-check): damaged submissions
repaired or refused in one line, an LMS's zip unpacked by its convention, and a handful of submissions graded
through the engine, each in its sandbox, into one gradebook, a CSV and feedback without hidden tests."""

import csv
import glob
import tempfile
import zipfile

import nbformat
import pytest
from nbgrader.api import Gradebook

from fashion_helpers.errors import CourseInputError
from fashion_helpers.tools import classgrade, cli, gradetask, grading, submissions

from . import classroom
from .classroom import listener  # noqa: F401  (a fixture)

SOURCE_NOTEBOOKS = [classroom.NOTEBOOK]


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return classroom.course(tmp_path_factory.mktemp("class") / "course")


@pytest.mark.parametrize("kind", classroom.DAMAGES)
def test_each_damage_is_repaired_with_a_note_or_refused_in_one_line(tmp_path, kind):
    student = f"intake_{kind}"
    course = classroom.course(tmp_path / "own", release=False)  # no nbgrader run: the intake reads metadata only
    classroom.hand_in(course, student, f"damaged:{kind}")
    want = classroom.expected(f"damaged:{kind}")
    dest = tmp_path / "course" / "submitted" / student / grading.ASSIGNMENT
    intake = submissions.prepare(
        course / "submitted" / student / grading.ASSIGNMENT,
        dest,
        SOURCE_NOTEBOOKS,
        source=course / "source" / grading.ASSIGNMENT,
    )
    if want["status"] == "refused":
        assert intake.refused and want["words"] in intake.refused and "\n" not in intake.refused
        assert intake.notebooks == []
    else:
        assert intake.refused is None and intake.notebooks == SOURCE_NOTEBOOKS
        nb = nbformat.read(str(dest / f"{classroom.NOTEBOOK}.ipynb"), as_version=4)
        ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if c.metadata.get("nbgrader")]
        assert len(ids) == len(set(ids)), "no grade id left twice"
        source = nbformat.read(str(course / "source" / grading.ASSIGNMENT / f"{classroom.NOTEBOOK}.ipynb"), 4)
        wanted = {
            c.metadata["nbgrader"]["grade_id"]: c.metadata["nbgrader"]
            for c in source.cells
            if c.metadata.get("nbgrader")
        }
        keys = ("grade", "solution", "locked", "points")
        for cell in (c for c in nb.cells if c.metadata.get("nbgrader")):
            meta = cell.metadata["nbgrader"]
            assert [meta.get(k) for k in keys] == [wanted[meta["grade_id"]].get(k) for k in keys]
    if "note" in want:
        assert any(want["note"] in note for note in intake.notes), intake.notes
    assert not dest.exists() or not any(p.is_symlink() for p in dest.rglob("*"))


def test_an_lms_zip_unpacks_by_folder_or_canvas_names_and_nothing_escapes(tmp_path):
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr("alice/02_activations.ipynb", "{}")
        zipped.writestr("bob/fashion/02_activations.ipynb", "{}")
        zipped.writestr("bob/fashion/data/extra.csv", "1,2\n")
        zipped.writestr("carol_late_1234_5678_02_activations-1.ipynb", "{}")
        zipped.writestr("dave_42_43_02_activations.ipynb", "{}")
        zipped.writestr("../escape.ipynb", "{}")
        zipped.writestr("eve/../../escape.ipynb", "{}")
        zipped.writestr("notes.txt", "hello")
    students, skipped = submissions.unpack_zip(archive, tmp_path / "course", "fashion")
    assert students == ["alice", "bob", "carol", "dave"]
    submitted = tmp_path / "course" / "submitted"
    files = sorted(str(p.relative_to(submitted)) for p in submitted.rglob("*") if p.is_file())
    assert files == [
        "alice/fashion/02_activations.ipynb",
        "alice/fashion/timestamp.txt",
        "bob/fashion/02_activations.ipynb",
        "bob/fashion/data/extra.csv",
        "bob/fashion/timestamp.txt",
        "carol/fashion/02_activations.ipynb",
        "carol/fashion/timestamp.txt",
        "dave/fashion/02_activations.ipynb",
        "dave/fashion/timestamp.txt",
    ]
    assert len(skipped) == 3 and all("not <student>/<notebook>" in line for line in skipped)
    assert not list(tmp_path.rglob("escape.ipynb"))
    (tmp_path / "no.zip").write_text("not a zip")
    with pytest.raises(CourseInputError, match=r"no.zip is not a readable zip .*: export the submissions again"):
        submissions.unpack_zip(tmp_path / "no.zip", tmp_path / "course", "fashion")


def test_a_folder_that_is_no_course_is_one_line_before_any_work(tmp_path, capsys):
    assert cli.main(["grade", "--course", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {tmp_path} is not a graded course directory: write one with fashion-course course"
    )


def test_a_few_submissions_graded_each_in_its_sandbox_into_one_gradebook(course, listener):  # noqa: F811
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


def test_links_left_in_a_scratch_folder_are_removed_before_trusted_code_reads_it(tmp_path):
    secret = tmp_path / "instructor" / "source.ipynb"
    secret.parent.mkdir()
    secret.write_text("the solutions")
    scratch = tmp_path / "scratch"
    (scratch / "autograded" / "s").mkdir(parents=True)
    (scratch / "autograded" / "s" / "x.html").symlink_to(secret)
    (scratch / "folder-link").symlink_to(secret.parent, target_is_directory=True)
    (scratch / "autograded" / "s" / "kept.ipynb").write_text("{}")
    gradetask._defuse(scratch)
    left = sorted(str(p.relative_to(scratch)) for p in scratch.rglob("*"))
    assert left == ["autograded", "autograded/s", "autograded/s/kept.ipynb"]
    assert secret.read_text() == "the solutions"
