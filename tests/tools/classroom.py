"""A generated class for the class-grading tests: a one-notebook course (02_activations, the quick parameters)
and hand-ins of every kind, each with the result it must get.

The hand-ins reuse the round trip's machinery (:mod:`fashion_helpers.tools.autograde_check`: ``hand_in``,
``fill_in``): correct ones written in three ways, untouched stubs, one bug each in one of the three exercises,
delegating and tuned ones, damaged ones (every kind :mod:`fashion_helpers.tools.submissions` repairs or
refuses) and hostile ones, whose extra cell tries, in nbgrader's kernel, what the sandbox must stop and prints
what happened (``EVIDENCE`` lines, read back from the autograded notebook)."""

from __future__ import annotations

import json
import os
import shutil
import socket
import threading
from pathlib import Path

import nbformat
import pytest

from fashion_helpers import yours
from fashion_helpers.tools import autograde_check, grading, values
from fashion_helpers.tools.grading import ASSIGNMENT

from ..conftest import HIDDEN_CASES, NOTEBOOK_DIR, ROOT

NOTEBOOK = "02_activations"
EXERCISES = ("ReLU", "ReLU_deriv", "softmax")
#: Correct solutions, written three ways (the answer key's, the announcing one, and these).
OWN = {
    "ReLU": "return Z * (Z > 0)",
    "ReLU_deriv": "return (Z > 0).astype(float)",
    "softmax": "e = np.exp(Z - np.max(Z, axis=0, keepdims=True))\nreturn e / np.sum(e, axis=0, keepdims=True)",
}
#: One bug each, costing exactly its exercise.
BUGS = {
    "ReLU": "return np.abs(Z)",
    "ReLU_deriv": "return np.ones_like(Z)",
    "softmax": "e = np.exp(Z - Z.max())\nreturn e / e.sum()",
}


def course(root: Path, release: bool = True) -> Path:
    """The graded course of 02_activations with the quick parameters, released by nbgrader generate_assignment;
    without ``release``, a stand-in release: the source itself (its cell metadata and solution regions, which a
    hand-in overwrites, are what the intake checks read), in a second instead of nbgrader's run."""
    run = values.resolve([NOTEBOOK[:2]], NOTEBOOK_DIR, str(ROOT / "params" / "quick.yaml"))
    notebooks = run.notebooks
    parameters = {p.name: run.parameters(p) for p in notebooks}
    grading.write_course(
        root, notebooks, ROOT / "data", key=(NOTEBOOK_DIR / yours.RECORD_NAME, HIDDEN_CASES), parameters=parameters
    )
    if release:
        grading.nbgrader(root, "generate_assignment", ASSIGNMENT, "--force")
    else:
        shutil.copytree(root / "source" / ASSIGNMENT, root / "release" / ASSIGNMENT)
    return root


def _folder(root: Path, student: str) -> Path:
    return root / "submitted" / student / ASSIGNMENT


def _edit(root: Path, student: str, edit) -> None:
    path = _folder(root, student) / f"{NOTEBOOK}.ipynb"
    nb = nbformat.read(str(path), as_version=4)
    edit(nb)
    nbformat.write(nb, str(path))


def _cell(nb, grade_id: str):
    return next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def _bodies(root: Path, student: str, bodies: dict[str, str]) -> None:
    autograde_check.hand_in(root, student, "stubs")

    def write(nb):
        for name, body in bodies.items():
            cell = _cell(nb, f"{name.lower()}_solution")
            cell.source = autograde_check.fill_in(cell.source, body)

    _edit(root, student, write)


def _extra_cell(root: Path, student: str, code: str) -> None:
    """The solutions, and one more code cell after the first: what a hostile student adds."""
    autograde_check.hand_in(root, student, "solutions")

    def add(nb):
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(first + 1, nbformat.v4.new_code_cell(code))

    _edit(root, student, add)


def hostile_code(kind: str, course_root: Path, port: int) -> str:
    """The extra cell of each hostile hand-in: it prints ``EVIDENCE <what>: <outcome>`` lines."""
    other = _folder(course_root, "solutions_0") / f"{NOTEBOOK}.ipynb"
    targets = [
        course_root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb",
        course_root / "grading" / "hidden_cases.json",
        course_root / "grading" / "course_functions.py",
        course_root / "gradebook.db",
        other,
    ]
    probe = (
        "def _evidence(what, attempt):\n"
        "    try:\n"
        "        outcome = 'OK ' + repr(attempt())[:40]\n"
        "    except BaseException as error:\n"
        "        outcome = type(error).__name__\n"
        "    print(f'EVIDENCE {what}: {outcome}')\n"
    )
    if kind == "escape":  # all of them at once, for the quick tests
        return "\n".join(
            hostile_code(k, course_root, port) for k in ("read", "network", "memory", "plant", "tamper", "filesize")
        )
    if kind == "filesize":  # fills the disk: RLIMIT_FSIZE stops the file at the cap (Python ignores SIGXFSZ)
        return probe + (
            "def _fill():\n"
            "    with open('big.bin', 'wb') as out:\n"
            "        for _ in range(40):\n"
            "            out.write(bytes(16 << 20))\n"
            "_evidence('file size', _fill)\n"
            "import os as _os\n_os.remove('big.bin')"
        )
    if kind == "tamper":  # the scratch gradebook rewritten from the kernel: an earlier hand-in, full marks
        return probe + (
            "def _tamper():\n"
            "    db = __import__('sqlite3').connect('../../../gradebook.db')\n"
            "    db.execute(\"update submitted_assignment set timestamp = '2000-01-01 00:00:00.000000'\")\n"
            "    db.execute('update grade set auto_score = 100, needs_manual_grade = 0')\n"
            "    db.commit()\n"
            "_evidence('tamper', _tamper)"
        )
    if kind == "plant":  # links left for the trusted code that reads the scratch folder afterwards
        source = course_root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
        return probe + "\n".join(
            f"_evidence('plant {name}', lambda: __import__('os').symlink({str(source)!r}, {name!r}))"
            for name in ("../planted.html", "../../../planted.ipynb", "../../../../planted-in-scratch.html")
        )
    if kind == "loop":
        return "while True:\n    pass"
    if kind == "stubborn_loop":  # ignores the interrupt nbgrader sends at the cell's timeout
        return (
            "import time\nwhile True:\n    try:\n        time.sleep(0.2)\n    except KeyboardInterrupt:\n        pass"
        )
    if kind == "memory":
        return (
            probe
            + "_evidence('memory', lambda: len(bytearray(16 * 1024**3)))\n"
            + ("import numpy as _np\n_evidence('numpy memory', lambda: _np.ones((60000, 60000)).sum())")
        )
    if kind == "network":
        return probe + (
            "import socket\n"
            f"_evidence('loopback', lambda: socket.create_connection(('127.0.0.1', {port}), timeout=3))\n"
            "_evidence('internet', lambda: socket.create_connection(('1.1.1.1', 53), timeout=3))\n"
            "_evidence('dns', lambda: socket.getaddrinfo('example.com', 80))"
        )
    if kind == "read":
        lines = [f"_evidence('read {t}', lambda: open({str(t)!r}, 'rb').read(20))" for t in targets]
        lines.append(f"_evidence('write', lambda: open({str(course_root / 'pwned.txt')!r}, 'w').write('x'))")
        lines.append(f"_evidence('list', lambda: __import__('os').listdir({str(course_root)!r}))")
        lines.append(
            "_evidence('environment', lambda: sorted(k for k in __import__('os').environ if 'FASHION_HIDDEN' in k))"
        )
        return probe + "\n".join(lines)
    raise ValueError(kind)


#: Every hand-in of the class: student -> what it is; ``expected`` gives each one's result.
def plan() -> dict[str, str]:
    kinds = {}
    for kind, count in (
        ("solutions", 2),
        ("alternatives", 2),
        ("own", 4),
        ("stubs", 3),
        ("delegates", 2),
        ("tuned", 2),
    ):
        kinds.update({f"{kind}_{i}": kind for i in range(count)})
    for name, count in (("ReLU", 2), ("ReLU_deriv", 2), ("softmax", 3)):
        kinds.update({f"bug_{name.lower()}_{i}": f"bug:{name}" for i in range(count)})
    for kind in DAMAGES:
        kinds[f"damaged_{kind}"] = f"damaged:{kind}"
    for kind in ("loop", "stubborn_loop", "memory", "network", "read", "graded_read"):
        kinds[f"hostile_{kind}"] = f"hostile:{kind}"
    return kinds


#: Every kind of damage, graded as far as possible or refused.
DAMAGES = (
    "invalid_json",
    "zero_bytes",
    "python_file",
    "not_a_notebook",
    "folder",
    "duplicate",
    "deleted_check",
    "deleted_solution",
    "metadata",
    "other_assignment",
    "empty",
    "symlink",
)


def hand_in(root: Path, student: str, kind: str, port: int = 9) -> None:
    """Write the hand-in of ``kind`` for ``student`` into the course's submitted/: its notebook, without the
    release's data folder (what students upload; nbgrader's autograde copies the data from the source)."""
    _hand_in(root, student, kind, port)
    shutil.rmtree(_folder(root, student) / "data", ignore_errors=True)


def _hand_in(root: Path, student: str, kind: str, port: int) -> None:
    from answer_key import submissions

    if kind in ("solutions", "stubs", "delegates", "tuned"):
        autograde_check.hand_in(root, student, kind)
    elif kind == "alternatives":
        _bodies(root, student, {n: submissions.ALTERNATIVES[n] for n in EXERCISES})
    elif kind == "own":
        _bodies(root, student, OWN)
    elif kind.startswith("bug:"):
        _bodies(root, student, {**OWN, kind[4:]: BUGS[kind[4:]]})
    elif kind.startswith("hostile:graded_read"):  # in a graded cell: the isolated grader's sandbox refuses it
        body = f"_ = open({str(root / 'grading' / 'hidden_cases.json')!r}).read()\n{OWN['ReLU']}"
        _bodies(root, student, {**OWN, "ReLU": body})
    elif kind.startswith("hostile:"):
        _extra_cell(root, student, hostile_code(kind[8:], root, port))
    else:
        _damaged(root, student, kind[8:])


def _damaged(root: Path, student: str, kind: str) -> None:
    path = _folder(root, student) / f"{NOTEBOOK}.ipynb"
    if kind in ("empty", "other_assignment", "symlink", "zero_bytes", "python_file", "not_a_notebook", "folder"):
        autograde_check.hand_in(root, student, "stubs")
        path.unlink()
        contents = {"zero_bytes": "", "python_file": "def ReLU(Z):\n    return Z\n", "not_a_notebook": "[1, 2, 3]"}
        if kind in contents:
            path.write_text(contents[kind])
        if kind == "folder":
            path.mkdir()
        if kind == "other_assignment":
            shutil.copy2(NOTEBOOK_DIR / "05_gradient_descent.ipynb", path.parent / "05_gradient_descent.ipynb")
        if kind == "symlink":  # the instructor's source, solutions and hidden tests in it
            os.symlink(root / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb", path)
        return
    _bodies(root, student, OWN)
    if kind == "invalid_json":
        path.write_text(path.read_text()[: len(path.read_text()) // 2])
    elif kind == "duplicate":  # a second copy of the ReLU cell, pasted after the first (nbgrader would stop)

        def paste(nb):
            copy = nbformat.from_dict(json.loads(json.dumps(_cell(nb, "relu_solution"))))
            copy.id = "pasted-copy"  # Jupyter gives a pasted cell an id of its own
            nb.cells.insert(nb.cells.index(_cell(nb, "relu_solution")) + 1, copy)

        _edit(root, student, paste)
    elif kind == "deleted_check":
        _edit(root, student, lambda nb: nb.cells.remove(_cell(nb, "relu_check")))
    elif kind == "deleted_solution":
        _edit(root, student, lambda nb: nb.cells.remove(_cell(nb, "softmax_solution")))
    elif kind == "metadata":

        def change(nb):
            _cell(nb, "relu_check").metadata["nbgrader"].update(points=100, locked=False)
            _cell(nb, "relu_deriv_check").metadata["nbgrader"]["grade"] = False

        _edit(root, student, change)
    else:
        raise ValueError(kind)


def expected(kind: str) -> dict:
    """What a hand-in of ``kind`` must get: status, points, the exercises lost and a word of its notes/problems."""
    full = {"status": "graded", "graded": 3.0, "lost": set()}
    if kind in ("solutions", "alternatives", "own"):
        return full
    if kind in ("stubs", "delegates", "tuned"):
        return {"status": "graded", "graded": 0.0, "lost": set(EXERCISES)}
    if kind.startswith("bug:"):
        return {"status": "graded", "graded": 2.0, "lost": {kind[4:]}}
    damaged = {
        "invalid_json": {"status": "refused", "words": "no readable notebook"},
        "empty": {"status": "refused", "words": "no readable notebook"},
        "zero_bytes": {"status": "refused", "words": "no readable notebook", "note": "cannot be read"},
        "python_file": {"status": "refused", "words": "no readable notebook", "note": "cannot be read"},
        "not_a_notebook": {"status": "refused", "words": "no readable notebook", "note": "cannot be read"},
        "folder": {"status": "refused", "words": "no readable notebook", "note": "is a folder"},
        "symlink": {"status": "refused", "words": "no readable notebook", "note": "symbolic link"},
        "other_assignment": {"status": "refused", "words": "05_gradient_descent.ipynb, not a notebook"},
        "duplicate": {**full, "note": "exists more than once"},
        "deleted_check": {**full, "note": "'relu_check' was deleted"},
        "deleted_solution": {"status": "graded", "graded": 2.0, "lost": {"softmax"}, "note": "was deleted"},
        "metadata": {**full, "note": "was changed"},
    }
    hostile = {
        "loop": {**full, "problem": "a cell ran out of time (CellTimeoutError)"},
        "stubborn_loop": {**full, "problem": "CellTimeoutError"},
        "memory": {**full, "evidence": {"memory": "MemoryError", "numpy memory": "MemoryError"}},
        "network": {**full},
        "read": {**full},
        "graded_read": {"status": "graded", "graded": 2.0, "lost": {"ReLU"}},
    }
    if kind.startswith("damaged:"):
        return damaged[kind[8:]]
    return hostile[kind[8:]]


def evidence(root: Path, student: str) -> dict[str, str]:
    """The ``EVIDENCE`` lines a hostile hand-in printed in nbgrader's kernel, from its autograded notebook."""
    path = root / "autograded" / student / ASSIGNMENT / f"{NOTEBOOK}.ipynb"
    found = {}
    for cell in nbformat.read(str(path), as_version=4).cells:
        for output in cell.get("outputs", []):
            for line in output.get("text", "").splitlines() if output.get("output_type") == "stream" else []:
                if line.startswith("EVIDENCE "):
                    what, _, outcome = line[9:].partition(": ")
                    found[what] = outcome
    return found


@pytest.fixture
def listener():
    """A TCP server on the host's loopback: a sandboxed kernel must not reach it."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    reached, stop = [], threading.Event()

    def accept():
        while not stop.is_set():
            try:
                reached.append(server.accept())
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], reached
    stop.set()
    thread.join()
    server.close()
