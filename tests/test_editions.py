"""The student edition (solutions stubbed, runs top to bottom) and the HTML edition."""

import nbformat
import pytest

from fashion_helpers import editions, runner


NOTEBOOKS = runner.list_notebooks()


def test_stub_then_restore_gives_the_instructor_source_exactly():
    blocks = 0
    for path in NOTEBOOKS:
        nb = nbformat.read(str(path), as_version=4)
        student, solutions = editions.student_notebook(nb)
        for original, stubbed, bodies in zip([c for c in nb.cells if c.cell_type == "code"],
                                             [c for c in student.cells if c.cell_type == "code"], solutions):
            assert editions.restore_solutions(stubbed.source, bodies) == original.source
            assert not stubbed.outputs and stubbed.execution_count is None
            blocks += len(bodies)
            for body in bodies:
                for line in body.splitlines():
                    if line.strip():
                        assert line not in stubbed.source.splitlines() or "raise" in line
    assert blocks >= 10


def test_unbalanced_markers_are_refused():
    with pytest.raises(ValueError, match="unbalanced"):
        editions.stub_solutions("def f():\n    ### BEGIN SOLUTION\n    return 1\n")


@pytest.fixture(scope="module")
def student_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("student")
    written = editions.write_student_edition(NOTEBOOKS, folder)
    # as a student would run it: from its own folder, with its own copy of the data (few iterations: the
    # point is that every cell runs, not what it prints)
    quick = {"iterations": 30, "lambda_regs": [0.0, 1.0]}
    jobs = [(path, folder / "executed" / path.name, runner.parameters_for(path, quick)) for path in written]
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
    assert text.count("not implemented yet") >= 10
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


def test_html_edition_has_every_page_and_an_index_in_teaching_order(tmp_path):
    written = editions.write_html_edition(NOTEBOOKS, tmp_path / "html")
    index = (tmp_path / "html" / "index.html").read_text()
    positions = [index.index(f'href="{p.stem}.html"') for p in NOTEBOOKS]
    assert positions == sorted(positions)
    for path in NOTEBOOKS:
        page = (tmp_path / "html" / f"{path.stem}.html").read_text()
        assert "<html" in page and "data:image/png;base64" in page
    assert len(written) == len(NOTEBOOKS) + 1
