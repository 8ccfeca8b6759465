"""The student edition (nbgrader's release: solutions stubbed, runs top to bottom) and the HTML edition."""

import re

import nbformat
import pytest

from fashion_helpers.tools import cli, editions, grading, runner

from ..conftest import NOTEBOOK_DIR

NOTEBOOKS = runner.list_notebooks(directory=NOTEBOOK_DIR)


def test_the_student_edition_is_nbgrader_s_release_with_markers_kept(student_run):
    """Every instructor cell is there (solutions stubbed, markers kept, answers blanked), plus an "Expected output"
    block after each cell tagged expected-output, quoting what that cell printed in the instructor's run."""
    folder, _ = student_run
    exercises = answers = expected = 0
    for path in NOTEBOOKS:
        instructor = nbformat.read(str(path), as_version=4)
        student = iter(nbformat.read(str(folder / "notebooks" / path.name), as_version=4).cells)
        for mine in instructor.cells:
            theirs = next(student)
            bodies = grading.solution_bodies(mine.source)
            if bodies:  # the stub replaces each solution, markers kept; filling it in gives the original back
                assert [b.strip() for b in grading.solution_bodies(theirs.source)] == [grading.STUB] * len(bodies)
                assert grading.fill_in(theirs.source, bodies) == mine.source
                exercises += 1
            elif grading.ANSWER_TAG in mine.metadata.get("tags", []):
                assert theirs.source == "YOUR ANSWER HERE" and mine.source.startswith("**Answer.**")
                answers += 1
            else:
                assert theirs.source == mine.source
            assert theirs.metadata.get("nbgrader", {}).get("grade_id") == mine.metadata["nbgrader"]["grade_id"] \
                if "nbgrader" in mine.metadata else "nbgrader" not in theirs.metadata
            if grading.EXPECTED_TAG in mine.metadata.get("tags", []):
                block = next(student)
                assert block.cell_type == "markdown" and block.source.startswith("**Expected output**")
                assert grading.text_output(mine) in block.source and block.metadata["nbgrader"]["locked"]
                expected += 1
        assert next(student, None) is None
    assert exercises >= 10 and answers >= 2 * len(NOTEBOOKS) and expected >= exercises


def test_unbalanced_markers_are_refused_in_one_line(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("def f():\n    ### BEGIN SOLUTION\n    return 1\n")]
    (tmp_path / "nbs").mkdir()
    nbformat.write(nb, str(tmp_path / "nbs" / "01_broken.ipynb"))
    (tmp_path / "data").mkdir()
    code = cli.main(["student", "--notebooks", str(tmp_path / "nbs"), "--out", str(tmp_path / "student")])
    err = capsys.readouterr().err
    assert code == 2 and err.startswith("error: 01_broken.ipynb, cell 0 has unbalanced") and err.count("\n") == 1
    (tmp_path / "data").rmdir()
    code = cli.main(["student", "--notebooks", str(tmp_path / "nbs"), "--out", str(tmp_path / "student")])
    assert code == 2 and capsys.readouterr().err.startswith(f"error: no data folder at {tmp_path / 'data'}")
    assert not (tmp_path / "student").exists()


@pytest.fixture(scope="module")
def student_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    written = editions.write_student_edition(NOTEBOOKS, folder)
    # as a student would run it: from its own folder, with its own copy of the data (few iterations: the
    # point is that every cell runs, not what it prints)
    quick = {"iterations": 30, "lambda_regs": [0.0, 1.0]}
    jobs = [(path, folder / "executed" / path.name, runner.parameters_for(declared, quick))
            for path, declared in runner.declarations(written).items()]
    results = runner.execute_many(jobs, workers=2, progress=False)
    return folder, results


def test_student_edition_runs_top_to_bottom_with_friendly_messages(student_run):
    folder, results = student_run
    assert [r["status"] for r in results] == ["ok"] * len(NOTEBOOKS), [r["error"] for r in results]
    text = ""
    for path in sorted((folder / "executed").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                assert output.output_type != "error"
                text += output.get("text", "") if output.output_type == "stream" else ""
    assert text.count("not implemented yet") >= len(grading.course_exercises(NOTEBOOKS))
    assert text.count("the notebook uses the package's") >= len(grading.course_exercises(NOTEBOOKS))
    assert "Traceback" not in text


def test_student_edition_has_no_outputs_and_no_solutions(student_run):
    folder, _ = student_run
    assert sorted(p.name for p in (folder / "data").iterdir()) == ["README.md", "fashion_data.csv", "fashion_holdout.csv"]
    for path in sorted((folder / "notebooks").glob("*.ipynb")):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None
        source = "".join(c.source for c in nb.cells)
        assert ("NotImplementedError" in source) == ("### BEGIN SOLUTION" in source)
        assert source.count("### BEGIN SOLUTION") == source.count("### END SOLUTION")


def test_html_edition_has_every_page_and_an_index_in_teaching_order(tmp_path):
    written = editions.write_html_edition(NOTEBOOKS, tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text()
    positions = [index.index(f'href="{p.stem}.html"') for p in NOTEBOOKS]
    assert positions == sorted(positions)
    for path in NOTEBOOKS:
        page = (tmp_path / "html" / f"{path.stem}.html").read_text()
        assert "<html" in page and "data:image/png;base64" in page
    assert len(written) == len(NOTEBOOKS) + 1


def test_html_edition_bundles_mathjax_so_its_pages_load_nothing_from_the_network(tmp_path):
    editions.write_html_edition(NOTEBOOKS[:1], tmp_path / "html")
    page = (tmp_path / "html" / f"{NOTEBOOKS[0].stem}.html").read_text()
    assert f'<script src="mathjax/MathJax.js?config={editions.MATHJAX_CONFIG}">' in page
    assert not re.findall(r'<script[^>]*\ssrc="(?:https?:)?//', page), "a page loads a script from the network"
    bundle = tmp_path / "html" / "mathjax"
    for name in editions.MATHJAX_CONFIG.split(","):
        assert (bundle / "config" / f"{name}.js").is_file() or (bundle / "extensions" / f"{name}.js").is_file()
    assert list((bundle / "fonts" / "HTML-CSS" / "STIX-Web" / "woff").glob("*.woff"))


def test_html_edition_without_a_local_mathjax_falls_back_to_its_cdn(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(editions, "local_mathjax", lambda: None)
    assert cli.main(["html", "--notebooks", str(NOTEBOOK_DIR), "--out", str(tmp_path / "html")]) == 0
    assert "MathJax from its CDN" in capsys.readouterr().out
    assert not (tmp_path / "html" / "mathjax").exists()
    assert "cdnjs.cloudflare.com/ajax/libs/mathjax/" in (tmp_path / "html" / f"{NOTEBOOKS[0].stem}.html").read_text()
