"""The isolated grader: each exercise of a submission judged outside the notebook's kernel.

A student controls everything in their notebook's kernel: they can rebind a check, patch ``print`` or NumPy, or
silence a traceback, so what a test cell prints there proves nothing. The grade comes from here instead. For each
exercise the grader takes the student's cell from the submitted notebook (what the self-check would record: its
imports and definitions), runs the exercise's visible and hidden cases on it in a fresh child process
(:mod:`._isolated`: forked from a server that never saw the answers, limited in time and memory, files and
network out of reach), receives what the function returned, and judges that with the self-checks' own
:func:`fashion_helpers.checks.judge` against the recorded outputs, which the child never sees.

Each exercise is graded on its own: the earlier exercises its cell calls are the course's working copies (the
reference, released once the deadline has passed), never the exercise itself, so one mistake costs one exercise.
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import nbformat

from .. import exercises, yours
from ..checks import HOOKS, _framework
from ..checks._values import decode
from ..errors import CourseInputError
from . import _isolated

#: Seconds of CPU and megabytes of memory each exercise's child may use.
SECONDS, MEGABYTES = 20, 2048


@dataclass
class Verdict:
    """The grade of one exercise of one submission."""

    exercise: str
    notebook: str
    points: float
    max_points: float
    message: str  # why not full points, or what it passed
    generic: bool = False


def solution_cells(notebook: Path) -> dict[str, str]:
    """The student's cell of each exercise of a submitted notebook, by exercise name: the cell nbgrader's grade id
    names, else (metadata lost) the first code cell that defines the function."""
    by_grade_id = {f"{name.lower()}_solution": name for name in exercises.names()}
    cells = [c for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "code"]
    found = {}
    for cell in cells:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in by_grade_id:
            found.setdefault(by_grade_id[grade_id], cell.source)
    for name in exercises.names():
        if name not in found:
            first = next((c.source for c in cells if re.search(rf"^def {name}\(", c.source, re.M)), None)
            if first is not None:
                found[name] = first
    return found


def dependencies(text: str, name: str, reference: dict[str, str]) -> list[str]:
    """The reference sections the exercise's cell needs: the earlier exercises it calls, and what they call in
    turn, in teaching order; never the exercise itself."""
    order = exercises.names()
    earlier = set(order[: order.index(name)])
    needed, todo = set(), [text]
    while todo:
        for other in yours._free_names(todo.pop()) & earlier - needed:
            needed.add(other)
            todo.append(reference[other])
    return [reference[n] for n in order if n in needed]


def _readable() -> list[str]:
    """The folders a child may read: Python's libraries and the course package (never the course's own files)."""
    paths = sysconfig.get_paths()
    folders = {paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib")}
    folders.add(str(Path(_isolated.__file__).resolve().parents[1]))
    return sorted(folders)


#: What to do when bubblewrap is missing or cannot run.
NEEDS_BWRAP = (
    "the isolated grader needs bubblewrap (bwrap), the operating system's sandbox it runs students' code "
    "in: run 'make sandbox' (or 'sudo apt-get install bubblewrap')"
)


def sandbox_command(
    scratch: Path,
    preload: tuple[str, ...] = (),
    *,
    program: list[str] | None = None,
    env: dict[str, str] | None = None,
    chdir: Path | None = None,
) -> list[str]:
    """The isolated grader's server, started inside bubblewrap: as an unprivileged user with no capabilities, in
    namespaces of its own (no network, no other process, no shared memory), with a file system that holds only
    the system's libraries, this Python, its packages and the course package (all read-only) and the scratch
    folder; no environment but what is set here. The course's own files (the reference, the hidden cases, the
    gradebook) are simply not there.

    program, env, chdir: another program of this Python to run in the same sandbox instead of the server (class
    grading runs nbgrader's autograde there, :mod:`.gradetask`), with more environment variables, started in a
    folder of the scratch folder."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        raise CourseInputError(NEEDS_BWRAP)
    command = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--uid",
        "65534",
        "--gid",
        "65534",
        "--ro-bind",
        "/usr",
        "/usr",
    ]
    for link in ("bin", "lib", "lib64", "sbin"):
        target = Path("/", link)
        if target.is_symlink():
            command += ["--symlink", os.readlink(target), str(target)]
        elif target.is_dir():
            command += ["--ro-bind", str(target), str(target)]
    if Path("/etc/ld.so.cache").exists():
        command += ["--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    command += ["--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    folders = {os.path.realpath(f) for f in (sys.base_prefix, sys.prefix, *_readable())}
    folders |= {os.path.realpath(sys.executable).rsplit("/bin/", 1)[0]}
    for folder in sorted(f for f in folders if not f.startswith("/usr/") and f != "/usr"):
        command += ["--ro-bind", folder, folder]
    if sys.prefix != os.path.realpath(sys.prefix):  # a virtual environment reached through a symbolic link
        command += ["--symlink", os.path.realpath(sys.prefix), sys.prefix]
    command += [
        "--bind",
        str(scratch),
        str(scratch),
        "--chdir",
        str(chdir or scratch),
        "--clearenv",
        "--setenv",
        "HOME",
        str(scratch),
        "--setenv",
        "PATH",
        "/usr/bin:/bin",
        "--setenv",
        "OPENBLAS_NUM_THREADS",
        "1",
        "--setenv",
        "PYTHONDONTWRITEBYTECODE",
        "1",
    ]
    for name, value in (env or {}).items():
        command += ["--setenv", name, value]
    return command + (program or [sys.executable, "-I", "-m", "fashion_helpers.tools._isolated", *preload])


class Sandbox:
    """The isolated grader's clean server (:mod:`._isolated`), started once per submission inside bubblewrap
    (:func:`sandbox_command`): a fresh interpreter that never sees the reference or the expected outputs; each
    job runs in a child it forks. ``files``: the student's own modules, copied into the scratch folder."""

    def __init__(self, preload: tuple[str, ...] = (), files: tuple[Path, ...] = ()):
        self._scratch = tempfile.TemporaryDirectory(prefix="grading-")
        self.scratch = Path(self._scratch.name)
        for item in files:
            shutil.copy2(item, self.scratch)
        self.preload = preload
        self.process = None
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            sandbox_command(self.scratch, self.preload),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self.scratch,
        )
        ready = self._line(60)
        if ready != b"ready\n":
            problem = self.process.stderr.read1(2000).decode(errors="replace").strip() if self.process.poll() else ""
            self.close()
            raise CourseInputError(
                f"{NEEDS_BWRAP.split(':')[0]} could not start it ({problem or 'no answer'}): "
                "on a machine that forbids unprivileged user namespaces, run the grader as root "
                "or allow them (sysctl kernel.unprivileged_userns_clone=1)"
            )

    def _line(self, seconds: float) -> bytes:
        """One line from the server, or b"" when it sent none within ``seconds`` (it is then stopped)."""
        chunks, deadline = [], time.monotonic() + seconds
        stdout = self.process.stdout
        while True:
            ready, _, _ = select.select([stdout], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                self.process.kill()
                return b""
            chunk = stdout.read1(1 << 20)
            if not chunk:
                return b""
            chunks.append(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(chunks)
            if sum(map(len, chunks)) > 2 * _isolated.ANSWER_LIMIT:
                self.process.kill()
                return b""

    def ask(self, job: dict) -> dict:
        """The server's answer to one job; an ``error`` answer when it stopped or went silent past the job's wall
        time (it is then restarted for the next job)."""
        if self.process.poll() is not None:
            self._start()
        try:
            self.process.stdin.write(json.dumps(job).encode() + b"\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            line = b""
        else:
            line = self._line(job["wall_seconds"] + 30)
        try:
            return json.loads(line) if line else self._lost()
        except ValueError:
            return self._lost()

    def _lost(self) -> dict:
        self.process.kill()
        self.process.wait()
        return {"error": "the grading server stopped while running it"}

    def close(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                self.process.stdin.close()
                try:
                    self.process.wait(10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait()
            for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
                if not stream.closed:
                    stream.close()
        self._scratch.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _outcomes(raw: list, calls: list) -> list[_framework.Outcome]:
    """What the child sent back for one case, checked for its shape: one outcome per call, each with the four
    fields the judge reads (ValueError otherwise)."""
    if not isinstance(raw, list) or len(raw) != len(calls):
        raise ValueError("not one result per call")
    outcomes = []
    for item in raw:
        raised, changed, printed = item["raised"], item["changed"], item["printed"]
        if raised is not None and not (
            isinstance(raised, list) and len(raised) == 2 and all(isinstance(part, str) for part in raised)
        ):
            raise ValueError("a malformed exception")
        if not isinstance(printed, str) or not (isinstance(changed, list) and all(isinstance(c, str) for c in changed)):
            raise ValueError("malformed fields")
        outcomes.append(
            _framework.Outcome(
                returned=decode(item["returned"]),
                raised=tuple(raised) if raised else None,
                changed=changed,
                printed=printed,
            )
        )
    return outcomes


def _job(
    name: str,
    source: str | None,
    reference: dict[str, str],
    hidden: list[dict],
    scratch: Path,
    seconds: int,
    megabytes: int,
) -> dict | Verdict:
    """The child's job for one exercise, or the verdict when there is nothing to run."""
    exercise = exercises.exercise(name)
    if source is None:
        return Verdict(
            name, exercise.notebook, 0.0, 1.0, "the notebook has no cell for this exercise (was it deleted?)"
        )
    try:
        text = yours.section(source, name, exercise.notebook, exercises.names())
    except SyntaxError as error:
        return Verdict(
            name, exercise.notebook, 0.0, 1.0, f"the cell does not run: SyntaxError at line {error.lineno}: {error.msg}"
        )
    except CourseInputError as error:
        return Verdict(name, exercise.notebook, 0.0, 1.0, str(error))
    cases = list(exercise.cases) + list(hidden)
    return {
        "name": name,
        "source": text,
        "dependencies": dependencies(text, name, reference),
        "calls": [case["calls"] for case in cases],
        "readable": _readable(),
        "scratch": str(scratch),
        "seconds": seconds,
        "megabytes": megabytes,
        "wall_seconds": seconds * 1.5 + 5,
    }


def grade_exercise(
    sandbox: Sandbox,
    name: str,
    source: str | None,
    reference: dict[str, str],
    hidden: list[dict],
    seconds: int = SECONDS,
    megabytes: int = MEGABYTES,
) -> Verdict:
    """One exercise: the student's cell ``source`` run on the visible and hidden cases in a child, judged here."""
    job = _job(name, source, reference, hidden, sandbox.scratch, seconds, megabytes)
    return job if isinstance(job, Verdict) else judged(name, hidden, sandbox.ask(job))


def grade_many(
    sandbox: Sandbox, tries: list[tuple[str, str]], reference: dict[str, str], hidden: dict, seconds: int = SECONDS
) -> list[Verdict]:
    """Several (exercise, cell) pairs in one child, one after the other (for the course's own tests: a child per
    pair would cost a fork each)."""
    jobs = [_job(name, source, reference, hidden[name], sandbox.scratch, seconds, MEGABYTES) for name, source in tries]
    runnable = [job for job in jobs if not isinstance(job, Verdict)]
    batch = {"batch": runnable, "wall_seconds": sum(j["wall_seconds"] for j in runnable)}
    answers = sandbox.ask(batch).get("batch", []) if runnable else []
    answers = iter(answers if isinstance(answers, list) else [])
    return [
        job
        if isinstance(job, Verdict)
        else judged(job["name"], hidden[job["name"]], next(answers, {"error": "no answer"}))
        for job in jobs
    ]


def judged(name: str, hidden: list[dict], result: dict) -> Verdict:
    """The verdict on what the child sent back for one exercise. An answer the grader cannot read (the child is
    the student's: it may send anything) scores 0 and says so, never stops the grading of the others."""
    exercise = exercises.exercise(name)

    def verdict(points: float, message: str, generic: bool = False) -> Verdict:
        return Verdict(name, exercise.notebook, points, 1.0, message, generic)

    if not isinstance(result, dict):
        return verdict(0.0, "the grader could not read what your function returned")
    if result.get("open") is True:
        return verdict(0.0, "not implemented yet (it still raises NotImplementedError)")
    if "error" in result:
        return verdict(0.0, str(result["error"])[:300])
    calls = [case["calls"] for case in list(exercise.cases) + list(hidden)]
    try:
        raw = result["outcomes"]
        if not isinstance(raw, list) or len(raw) != len(calls):
            raise ValueError("not one result per case")
        outcomes = [_outcomes(one, case) for one, case in zip(raw, calls, strict=True)]
        hooks = HOOKS.get(name, _framework.NO_HOOKS)
        visible = len(exercise.cases)
        found = _framework.judge(exercise, exercise.cases, outcomes[:visible], hooks)
        if found is None:
            found = _framework.judge(exercise, hidden, outcomes[visible:], hooks, hidden=True)
            if found is not None:
                found = (
                    f"it passes the cases you were shown but not the hidden ones, so it must work on any "
                    f"input: {found[0]}",
                    found[1],
                )
    except Exception as error:  # noqa: BLE001  (whatever came back, this exercise alone scores 0)
        return verdict(
            0.0,
            f"the grader could not read what your function returned ({type(error).__name__}), so it earns no points",
        )
    if found is None:
        return verdict(1.0, "passes every case, the hidden ones too")
    message, generic = found
    return verdict(0.0, _delegation(name, message), generic)


def _delegation(name: str, message: str) -> str:
    """Say plainly when a solution leaned on course code for its own exercise."""
    if f"{name} has not passed its self-check yet" in message:
        return (
            f"it calls the course's copy of {name} (yours.use) instead of computing the result: an exercise is "
            "graded on the code of its own cell, and the grader gives nobody a copy of it"
        )
    if "grading sandbox" in message:
        return f"{message} (so it earns no points)"
    return message


def grade_submission(
    folder: Path, reference: dict[str, str], hidden: dict[str, list], seconds: int = SECONDS, megabytes: int = MEGABYTES
) -> list[Verdict]:
    """Every exercise of the notebooks in a submission folder, in teaching order."""
    catalogue = exercises.catalogue()
    notebooks = {path.stem: path for path in sorted(Path(folder).glob("*.ipynb"))}
    modules = tuple(
        item
        for item in Path(folder).glob("*.py")  # the student's own modules, if the cells import any
        if item.name not in (yours.RECORD_NAME, yours.WORKING_COPIES_NAME) and item.is_file()
    )
    verdicts = []
    with Sandbox(files=modules) as sandbox:
        for stem, path in notebooks.items():
            names = [n for n, e in catalogue.items() if e.notebook == stem]
            if not names:
                continue
            try:
                cells = solution_cells(path)
            except Exception as error:  # a damaged notebook: every exercise in it scores 0, with the reason
                reason = f"the notebook cannot be read ({type(error).__name__}): hand in the notebook itself"
                verdicts += [Verdict(n, stem, 0.0, 1.0, reason) for n in names]
                continue
            for name in names:
                verdicts.append(
                    grade_exercise(sandbox, name, cells.get(name), reference, hidden.get(name, []), seconds, megabytes)
                )
    return verdicts


def load_key(grading: Path) -> tuple[dict[str, str], dict[str, list]]:
    """The working copies (reference sections) and hidden cases of a course's instructor-only ``grading/`` folder."""
    reference = yours.read_sections(Path(grading) / yours.WORKING_COPIES_NAME)
    hidden = json.loads((Path(grading) / "hidden_cases.json").read_text(encoding="utf-8"))["cases"]
    if not reference:
        raise CourseInputError(f"no working copies in {grading}: write the course with fashion-course course")
    return reference, hidden


def as_dicts(verdicts: list[Verdict]) -> list[dict]:
    return [asdict(v) for v in verdicts]
