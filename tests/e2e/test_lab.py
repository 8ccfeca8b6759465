"""The students' path in a real browser: JupyterLab opens a notebook of the course with the kernel it names, Run >
Run All Cells runs it, and the page shows what the course promises: figures as images, LaTeX as typeset math,
the self-checks' PASS lines, no error. The same for the self-study edition, whose open exercises print friendly
"not written yet" lines instead of tracebacks, an "Expected output" block after each marked cell quoting the
instructor's run, and a blank answer under each inline question; and a function a student writes there in the
browser is the one the next notebook runs.

Each test leaves ``runs/e2e/<edition>-<notebook>.png`` (the window at the first figure) and ``…-full.png`` (the
whole notebook), failed or not; the server's log is ``runs/e2e/jupyterlab.log``.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

import nbformat
import pytest

from fashion_helpers import conventions
from fashion_helpers.tools import grading

from ..conftest import NOTEBOOK_DIR
from .conftest import SERVER_LOG
from .jupyterlab import Facts, Notebook

#: Notebook 01, and a later one: 04 has the most self-checks and formulas, and runs in seconds (05 trains for
#: 500 iterations: over a minute in a browser on a busy 2-core machine).
COURSE_NOTEBOOKS = ["01_initialization", "04_backward_propagation"]
#: 04 has the most exercises (stubs) of the series.
STUDENT_NOTEBOOKS = ["01_initialization", "04_backward_propagation"]


def committed(name: str) -> dict:
    """What the committed notebook shows, to compare the browser's run with."""
    nb = nbformat.read(str(NOTEBOOK_DIR / f"{name}.ipynb"), as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    stdout = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stdout")
    return {
        "images": sum(len(grading.figures(c)) for c in nb.cells if c.cell_type == "code"),
        # the self-checks' verdicts, PASS and the FAIL that 04 shows on purpose (a wrong gradient caught)
        "verdicts": [line for line in stdout.splitlines() if line.startswith(("PASS", "FAIL"))],
        "math_cells": sum(c.cell_type == "markdown" and "$" in c.source for c in nb.cells),
        "exercises": sum(c.source.count("### BEGIN SOLUTION") for c in nb.cells if c.cell_type == "code"),
        # what the student edition quotes after each cell tagged expected-output, and its inline questions
        "expected_blocks": [
            grading.text_output(c) for c in nb.cells if conventions.EXPECTED_TAG in c.metadata.get("tags", [])
        ],
        "expected_figures": [
            len(grading.figures(c)) for c in nb.cells if conventions.EXPECTED_TAG in c.metadata.get("tags", [])
        ],
        "questions": sum(conventions.ANSWER_TAG in c.metadata.get("tags", []) for c in nb.cells),
    }


@contextmanager
def opened(page, lab, artifacts, edition: str, name: str, focus: str = ".jp-OutputArea-output img"):
    """Open ``<edition>/notebooks/<name>.ipynb``; on the way out, always a screenshot (around the first ``focus``
    element) and the kernel shut down."""
    shot = artifacts / f"{edition}-{name}.png"
    notebook = Notebook(
        page, lab, f"{edition}/notebooks/{name}.ipynb", where=f"screenshot {shot}, server log {SERVER_LOG}"
    )
    try:
        yield notebook.open()
    finally:
        try:
            notebook.screenshot(shot, focus)
        finally:
            notebook.close()


def check_ran_cleanly(facts: Facts, notebook: Notebook) -> None:
    if facts.stderr:
        notebook.fail(f"{len(facts.stderr)} error output(s); the first: {facts.stderr[0].strip()[-300:]!r}")
    shown = "\n".join(facts.outputs)
    if "Traceback" in shown:
        notebook.fail("an output shows a traceback")


def check_figures(facts: Facts, notebook: Notebook, expected: int) -> None:
    if len(facts.images) != expected or not all(facts.images):
        notebook.fail(
            f"expected {expected} figures rendered as images, the page shows {len(facts.images)} "
            f"({sum(1 for w in facts.images if not w)} of them not loaded)"
        )


def check_math(facts: Facts, notebook: Notebook, math_cells: int) -> None:
    if facts.raw_tex:
        notebook.fail(f"LaTeX left untypeset in a markdown cell: {facts.raw_tex[0]!r}")
    if facts.math < math_cells or facts.math_errors:
        notebook.fail(
            f"expected typeset math in {math_cells} markdown cells, the page shows {facts.math} "
            f"formulas and {facts.math_errors} MathJax errors"
        )


@pytest.mark.parametrize("name", COURSE_NOTEBOOKS)
def test_course_notebook_runs_in_jupyterlab(page, lab, artifacts, name):
    expected = committed(name)
    with opened(page, lab, artifacts, "course", name) as notebook:
        assert notebook.kernel_name() == "python3"  # the kernel the notebooks name, from the course environment
        notebook.run_all()
        facts = notebook.wait_for_math()
        check_ran_cleanly(facts, notebook)
        check_figures(facts, notebook, expected["images"])
        check_math(facts, notebook, expected["math_cells"])
        if facts.lines(("PASS", "FAIL")) != expected["verdicts"]:
            notebook.fail(
                f"expected the self-checks' lines {expected['verdicts']}, the page shows "
                f"{facts.lines(('PASS', 'FAIL'))}"
            )
        assert not page.console_errors, f"JupyterLab's page reported errors: {page.console_errors}"


# What a student sees after Run All in the student edition, one check each.
def check_friendly_not_yet_lines(facts: Facts, notebook: Notebook, expected: dict) -> None:
    not_yet = facts.lines("NOT YET")
    if expected["exercises"] and not not_yet:
        notebook.fail(f"{expected['exercises']} exercises are stubbed, but no 'NOT YET ... not written yet' line shows")
    if any("not written yet" not in line for line in not_yet):
        notebook.fail(f"a NOT YET line without its explanation: {not_yet}")


def check_expected_outputs_and_questions(facts: Facts, notebook: Notebook, expected: dict) -> None:
    shown = [block.strip() for block in facts.expected]
    if shown != [block.strip() for block in expected["expected_blocks"]]:
        notebook.fail(
            f"expected {len(expected['expected_blocks'])} 'Expected output' blocks quoting the instructor's "
            f"run, the page shows {len(shown)}: {[b[:60] for b in shown]}"
        )
    if facts.expected_figures != expected["expected_figures"]:
        notebook.fail(
            f"expected the 'Expected output' blocks to show {expected['expected_figures']} figures, loaded; the page "
            f"shows {facts.expected_figures}"
        )
    if facts.blank_answers != expected["questions"]:
        notebook.fail(
            f"expected {expected['questions']} inline questions with a blank answer cell, the page shows "
            f"{facts.blank_answers}"
        )


STUDENT_CHECKS = [
    check_expected_outputs_and_questions,
    lambda facts, notebook, expected: check_ran_cleanly(facts, notebook),
    check_friendly_not_yet_lines,
    lambda facts, notebook, expected: check_figures(facts, notebook, expected["images"]),
    lambda facts, notebook, expected: check_math(facts, notebook, expected["math_cells"]),
]


@pytest.mark.parametrize("name", STUDENT_NOTEBOOKS)
def test_student_edition_runs_with_friendly_messages(page, lab, artifacts, name):
    expected = committed(name)
    not_yet = '.jp-OutputArea-output:has-text("NOT YET")'
    with opened(page, lab, artifacts, "student", name, focus=not_yet) as notebook:
        notebook.run_all()
        facts = notebook.wait_for_math()
        for check in STUDENT_CHECKS:
            check(facts, notebook, expected)
        assert not re.search(r"NotImplementedError", "\n".join(facts.outputs))


MY_RELU = 'def ReLU(Z):\n    """Mine: the positive part of Z."""\n    return np.where(Z > 0, Z, 0.0)\n'


def test_a_function_written_in_the_browser_is_the_one_the_next_notebook_runs(page, lab, artifacts):
    """The student's path through two notebooks of the self-study edition: write ReLU in 02's exercise cell,
    run the notebook (its check passes and records the function in my_functions.py beside the notebooks), then
    run 03: it says it uses the student's ReLU, and the working copy only for softmax, still open."""
    cell = '.jp-CodeCell:has(.cm-content:has-text("def ReLU(Z)"))'
    with opened(page, lab, artifacts, "mine", "02_activations", focus=cell) as notebook:
        editor = page.locator(f"{cell} .cm-content").first
        editor.click()
        page.keyboard.press("Control+A")
        page.keyboard.insert_text(MY_RELU)  # as pasted: no auto-indent, no closing brackets added
        notebook.run_all()
        passed = notebook.facts().lines("PASS")
        if not any(line.startswith("PASS  ReLU") for line in passed):
            notebook.fail(f"the student's ReLU did not pass its check; PASS lines: {passed}")
    record = lab.root / "mine" / "notebooks" / "my_functions.py"
    assert "Mine: the positive part of Z." in record.read_text(), "the passing check did not record the function"
    with opened(page, lab, artifacts, "mine", "03_forward_propagation") as notebook:
        notebook.run_all()
        whose = " ".join(notebook.facts().lines("From earlier notebooks"))
        if "your ReLU (recorded in my_functions.py)" not in whose or "working copy stands in" not in whose:
            notebook.fail(f"03 does not say it runs the student's ReLU: {whose}")
