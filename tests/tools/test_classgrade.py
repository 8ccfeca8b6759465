"""Grading a class, the quick part: damaged submissions repaired or refused in one line, an LMS's zip unpacked by
its convention, links in a scratch folder removed. Grading through nbgrader in the sandbox (a few submissions on
the local engine, the class of 40 on a real cluster) is make grade-check, a CI step of its own."""

import zipfile

import nbformat
import pytest

from fashion_helpers.errors import CourseInputError
from fashion_helpers.tools import cli, gradetask, grading, submissions

from . import classroom

SOURCE_NOTEBOOKS = [classroom.NOTEBOOK]


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
