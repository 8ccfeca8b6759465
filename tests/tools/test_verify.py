"""The isolated grader: each thing a student must not be able to do, tried as a student would, and the grade it
gets (fashion_helpers.tools.verify, fashion_helpers.tools._isolated)."""

import json
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from fashion_helpers import yours
from fashion_helpers.tools import sandbox, verify

from ..conftest import HIDDEN_CASES, NOTEBOOK_DIR, ROOT

REFERENCE = yours.read_sections(NOTEBOOK_DIR / yours.RECORD_NAME)
HIDDEN = json.loads(HIDDEN_CASES.read_text())["cases"]


def relu_cell(body: str, above: str = "") -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return f'{above}def ReLU(Z):\n    """ReLU."""\n    ### BEGIN SOLUTION\n{indented}    ### END SOLUTION\n'


def cell(name: str, params: str, body: str, above: str = "") -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return f'{above}def {name}({params}):\n    """{name}."""\n    ### BEGIN SOLUTION\n{indented}    ### END SOLUTION\n'


RIGHT = {
    "ReLU_deriv": cell("ReLU_deriv", "Z", "return (Z > 0) * 1.0"),
    "softmax": cell("softmax", "Z", "e = np.exp(Z - Z.max(axis=0))\nreturn e / e.sum(axis=0)"),
}


@pytest.fixture(scope="module")
def grade():
    with sandbox.Sandbox() as server:

        def run(source, name="ReLU", seconds=verify.SECONDS, megabytes=verify.MEGABYTES):
            return verify.grade_exercise(server, name, source, REFERENCE, HIDDEN[name], seconds, megabytes)

        yield run


def test_a_right_function_written_any_way_gets_the_point(grade):
    verdict = grade(relu_cell("return Z * (Z > 0)"))
    assert (verdict.points, verdict.message) == (1.0, "passes every case, the hidden ones too")


ATTACKS = {
    "read the reference": (
        f'ns = {{}}\nexec(open({str(NOTEBOOK_DIR / "my_functions.py")!r}).read(), ns)\nreturn ns["ReLU"](Z)',
        "grading sandbox: reading",
    ),
    "read the hidden cases": (
        f"import json\njson.load(open({str(HIDDEN_CASES)!r}))\nreturn Z",
        "grading sandbox: reading",
    ),
    "list the course's files": (f"import os\nos.listdir({str(ROOT)!r})\nreturn Z", "grading sandbox: reading"),
    "write outside the scratch folder": (
        'open("/tmp/graded-by-me.txt", "w").write("x")\nreturn np.maximum(0, Z)',
        "grading sandbox: writing /tmp/graded-by-me.txt",
    ),
    "open a socket": ('import socket\nsocket.create_connection(("127.0.0.1", 9))\nreturn Z', "socket"),
    "run a program": ('import os\nos.system("id")\nreturn Z', "os.system is not allowed"),
    "spawn a process": ('import subprocess\nsubprocess.run(["id"])\nreturn Z', "subprocess.Popen is not allowed"),
    "call C through ctypes": ('import ctypes\nctypes.CDLL(None).system(b"id")\nreturn Z', "ctypes.dlopen"),
    "delegate to the course's copy": (
        'from fashion_helpers import yours\nreturn yours.use("ReLU")(Z)',
        "calls the course's copy of ReLU",
    ),
    "read the working copies' path": (
        'import os, runpy\nreturn runpy.run_path(os.environ["FASHION_COURSE_FUNCTIONS"])["ReLU"](Z)',
        "KeyError",
    ),
    "return the cases it was shown": (
        "from fashion_helpers import exercises\nfrom fashion_helpers.checks import _values\n"
        'for case in exercises.exercise("ReLU").cases:\n'
        '    for call, out in zip(case["calls"], case["expected"]):\n'
        '        if _values.close(_values.decode(call["args"][0]), Z):\n'
        "            return _values.decode(out)\nreturn None",
        "passes the cases you were shown but not the hidden ones",
    ),
    "not implemented": ("raise NotImplementedError", "not implemented yet"),
}


@pytest.mark.parametrize("attack", ATTACKS, ids=list(ATTACKS))
def test_an_attempt_at_points_without_the_work_gets_none_and_says_why(grade, attack):
    body, words = ATTACKS[attack]
    verdict = grade(relu_cell(body))
    assert verdict.points == 0 and words in verdict.message, verdict.message
    assert not Path("/tmp/graded-by-me.txt").exists()


def test_an_endless_loop_and_a_memory_bomb_are_stopped_and_the_next_exercise_still_graded(grade):
    start = time.monotonic()
    looping = grade(relu_cell("while True:\n    pass"), seconds=2)
    assert looping.points == 0 and "an endless loop" in looping.message and time.monotonic() - start < 10
    bomb = grade(relu_cell("hog = [np.ones(10**8) for _ in range(50)]\nreturn Z"), megabytes=1024)
    assert bomb.points == 0 and "MemoryError" in bomb.message
    assert grade(relu_cell("return np.maximum(Z, 0)")).points == 1


def test_the_graders_view_of_the_cell_is_what_a_check_records(grade):
    """Code around the function (a rebinding, a print) is left out, a helper defined in the cell is kept, and
    a cell that does not parse or defines another name earns nothing, with the reason."""
    rebinding = "from fashion_helpers import checks\nchecks.check_ReLU = lambda fn: fn\nprint('hi')\n\n\n"
    helper = "def clip(Z):\n    return np.maximum(0, Z)\n\n\n"
    assert grade(relu_cell("return clip(Z)", above=rebinding + helper)).points == 1
    assert "SyntaxError" in grade(relu_cell("return (Z")).message
    assert grade("def relu(Z):\n    return Z\n").message.startswith("the cell defines no function ReLU")
    assert "no cell for this exercise" in grade(None).message


def test_an_exercise_gets_the_earlier_exercises_it_calls_and_never_its_own_reference():
    text = yours.section(
        "def forward_prop(W1, b1, W2, b2, X):\n    return softmax(ReLU(W1 @ X + b1))\n",
        "forward_prop",
        "03_forward_propagation",
        list(REFERENCE),
    )
    given = verify.dependencies(text, "forward_prop", REFERENCE)
    assert given == [REFERENCE["ReLU"], REFERENCE["softmax"]]
    delegating = yours.section(
        "def gradient_descent(X, Y, alpha, iterations):\n    return make_predictions(X)\n",
        "gradient_descent",
        "05_gradient_descent",
        list(REFERENCE),
    )
    assert verify.dependencies(delegating, "gradient_descent", REFERENCE) == []
    text = yours.section(
        "def backward_prop(Z1, A1, Z2, A2, W1, W2, X, Y):\n    return backward_prop\n",
        "backward_prop",
        "04_backward_propagation",
        list(REFERENCE),
    )
    assert REFERENCE["backward_prop"] not in verify.dependencies(text, "backward_prop", REFERENCE)


def test_a_damaged_notebook_costs_its_own_exercises_only(tmp_path):
    for name in ("02_activations.ipynb", "03_forward_propagation.ipynb"):
        (tmp_path / name).write_bytes((NOTEBOOK_DIR / name).read_bytes())
    (tmp_path / "02_activations.ipynb").write_text("{ not json")
    nb = nbformat.read(str(tmp_path / "03_forward_propagation.ipynb"), as_version=4)
    nb.cells = [
        c for c in nb.cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") != "get_accuracy_solution"
    ]
    nbformat.write(nb, str(tmp_path / "03_forward_propagation.ipynb"))
    verdicts = {v.exercise: v for v in verify.grade_submission(tmp_path, REFERENCE, HIDDEN)}
    assert {verdicts[n].message for n in ("ReLU", "ReLU_deriv", "softmax")} == {
        "the notebook cannot be read (NotJSONError): hand in the notebook itself"
    }
    assert verdicts["forward_prop"].points == verdicts["get_predictions"].points == 1
    assert verdicts["get_accuracy"].points == 0 and "no cell" in verdicts["get_accuracy"].message


PIPES = (
    "import os, stat\n\ndef _pipes():\n    return [fd for fd in range(3, 256) if _is_pipe(fd)]\n\n\n"
    "def _is_pipe(fd):\n    try:\n        return stat.S_ISFIFO(os.fstat(fd).st_mode)\n    except OSError:\n"
    "        return False\n\n\n"
)


def test_the_sandbox_holds_none_of_the_courses_files_even_without_the_audit_hook(tmp_path):
    """The operating system's boundary on its own: a plain interpreter started the way the grader starts its
    server finds no reference, no hidden cases, no repository, no network, and cannot write outside scratch."""
    probe = (
        f"import os, socket\nfor p in ({str(NOTEBOOK_DIR / 'my_functions.py')!r}, {str(HIDDEN_CASES)!r}):\n"
        "    print(p, os.path.exists(p))\n"
        f"print('repo', sorted(os.listdir({str(ROOT)!r})))\n"
        "try:\n    socket.create_connection(('1.1.1.1', 53), timeout=2)\nexcept OSError as e:\n"
        "    print('network', type(e).__name__)\n"
        f"try:\n    open({str(ROOT / 'fashion_helpers' / 'planted.py')!r}, 'w')\nexcept OSError as e:\n"
        "    print('write', e.strerror)\n"
        f"open({str(tmp_path / 'outside.txt')!r}, 'w').write('x')  # /tmp is the sandbox's own\n"
        "print('uid', os.getuid())\n"
    )
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    command = sandbox.sandbox_command(scratch)
    command = command[: command.index(sys.executable) + 1] + ["-I", "-c", probe]
    lines = subprocess.run(command, capture_output=True, text=True, check=True, timeout=60).stdout.splitlines()
    assert lines[:2] == [f"{NOTEBOOK_DIR / 'my_functions.py'} False", f"{HIDDEN_CASES} False"]
    assert lines[2] == "repo ['.venv', 'fashion_helpers']" or lines[2] == "repo ['fashion_helpers']"
    assert lines[3:] == ["network OSError", "write Read-only file system", "uid 65534"], lines
    assert not (tmp_path / "outside.txt").exists() and not (ROOT / "fashion_helpers" / "planted.py").exists()


def test_without_bubblewrap_the_grader_stops_before_any_work_with_the_fix(monkeypatch):
    monkeypatch.setattr(sandbox.shutil, "which", lambda name: None)
    with pytest.raises(verify.CourseInputError, match="make sandbox"):
        sandbox.Sandbox()


ESCAPES = {
    "a folder descriptor, then ../ to the root": (
        "lib = os.open(os.path.dirname(np.__file__), os.O_RDONLY)\n"
        'deep = os.path.join(os.getcwd(), *["d"] * 40)\nos.makedirs(deep, exist_ok=True)\nos.chdir(deep)\n'
        'root = os.open("../" * 40, os.O_RDONLY, dir_fd=lib)\n'
        'fd = os.open("{target}".lstrip("/"), os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=root)\n'
        'os.write(fd, b"x")\nreturn np.maximum(Z, 0)'
    ),
    "rename a file out": 'open("x", "w").write("x")\nos.rename("x", "{target}")\nreturn np.maximum(Z, 0)',
    "hard-link a file out": 'open("x", "w").write("x")\nos.link("x", "{target}")\nreturn np.maximum(Z, 0)',
    "symlink out": 'os.symlink(os.path.abspath("x"), "{target}")\nreturn np.maximum(Z, 0)',
    "a .pth file into site-packages": (
        'import sysconfig\nopen("zz.pth", "w").write("import os")\n'
        'os.rename("zz.pth", os.path.join(sysconfig.get_paths()["purelib"], "zz_graded.pth"))\n'
        "return np.maximum(Z, 0)"
    ),
    "a process through _posixsubprocess": (
        "import _posixsubprocess\nr, w = os.pipe()\n"
        'pid = _posixsubprocess.fork_exec([b"/bin/sh", b"-c", b"touch {target}"], (b"/bin/sh",), True, (w,), '
        "None, None, -1, -1, -1, -1, -1, -1, r, w, True, False, -1, None, None, None, -1, None, False)\n"
        "return np.maximum(Z, 0)"
    ),
}


@pytest.mark.parametrize("escape", ESCAPES, ids=list(ESCAPES))
def test_an_escape_from_the_scratch_folder_scores_nothing_and_leaves_nothing(grade, escape, tmp_path):
    target = tmp_path / "written-by-the-child"
    verdict = grade(cell("ReLU", "Z", ESCAPES[escape].format(target=target), above="import os\n\n\n"))
    # the audit hook words a refusal; a descriptor's path it cannot see, and there the sandbox's file system holds
    # no such folder: either way, no point and no file
    words = "No such file" if "descriptor" in escape else "grading sandbox"
    assert verdict.points == 0 and words in verdict.message, verdict.message
    assert not target.exists()
    assert not list(Path(sys.prefix).glob("lib/python*/site-packages/zz_graded.pth"))


def test_a_child_that_closes_its_pipe_and_sleeps_is_stopped_on_time_and_the_next_exercise_graded(grade):
    start = time.monotonic()
    sleeper = grade(cell("ReLU", "Z", "import os, time\nos.closerange(0, 1024)\ntime.sleep(10**6)"), seconds=2)
    assert sleeper.points == 0 and "ran out of time" in sleeper.message
    assert time.monotonic() - start < 30
    assert grade(RIGHT["ReLU_deriv"], "ReLU_deriv").points == 1


def test_a_child_cannot_forge_the_answers_of_other_exercises(grade):
    """The server's reply pipe is not inherited: writing forged answers into every pipe the child holds reaches
    nothing but its own answer."""
    forger = cell(
        "ReLU",
        "Z",
        'for fd in _pipes():\n    os.write(fd, b\'{"error": "forged"}\\n\' * 3)\nreturn np.maximum(Z, 0)',
        above=PIPES,
    )
    grade(forger)
    for name, source in RIGHT.items():
        verdict = grade(source, name)
        assert (verdict.points, verdict.message) == (1.0, "passes every case, the hidden ones too")


def test_an_answer_too_large_or_malformed_costs_that_exercise_only(grade):
    huge = cell(
        "ReLU",
        "Z",
        "w = max(_pipes())\nos.write(w, b'{\"outcomes\": [')\n"
        "for _ in range(12):\n    os.write(w, b'[],' * (1 << 20))\nos._exit(0)",
        above=PIPES,
    )
    verdict = grade(huge)
    assert verdict.points == 0 and "larger than" in verdict.message
    malformed = {
        "an unhashable key": cell("ReLU", "Z", "class K(list):\n    __hash__ = object.__hash__\nreturn {K([1]): 0}"),
        "no outcomes": cell(
            "ReLU",
            "Z, _=setattr(_f, 'run_case', lambda *a, **k: [])",
            "return Z",
            above="import fashion_helpers.checks._framework as _f\n\n\n",
        ),
        "a shape its values do not fill": cell(
            "ReLU",
            "Z",
            "return Z",
            above="import fashion_helpers.checks._values as _v\n"
            "_v.encode = lambda x: {'array': [1.0], 'dtype': 'float64', 'shape': [7, 7]}\n\n\n",
        ),
    }
    for kind, source in malformed.items():
        verdict = grade(source)
        assert verdict.points == 0, (kind, verdict.message)
        assert grade(RIGHT["ReLU_deriv"], "ReLU_deriv").points == 1, kind


def test_a_hidden_case_never_tells_its_inputs_back(grade):
    leak = cell(
        "ReLU",
        "Z",
        "import json\nif Z.shape == (2, 3):\n    return np.maximum(Z, 0)\nraise ValueError(json.dumps(Z.tolist()))",
    )
    verdict = grade(leak)
    assert verdict.points == 0 and "hidden" in verdict.message
    assert "[" not in verdict.message and not any(ch.isdigit() for ch in verdict.message), verdict.message
    named = cell(
        "ReLU",
        "Z",
        "if Z.shape == (2, 3):\n    return np.maximum(Z, 0)\nraise type('Leak_' + str(Z.size), (Exception,), {})()",
    )
    verdict = grade(named)
    assert verdict.points == 0 and "Leak" not in verdict.message, verdict.message
