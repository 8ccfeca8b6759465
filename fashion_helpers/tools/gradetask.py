"""One submission of a class, graded on a worker: the task :mod:`.classgrade` sends to the engine.

Everything the student wrote runs in bubblewrap, on a scratch copy that holds nothing the student may not see:

- its own process and kernel: a scratch course directory per submission (``tempfile``, removed afterwards) with
  the assignment's source *without* its hidden-test regions, a fresh gradebook made from that source, the course's
  working copies (released at the deadline, so the notebook runs past an unsolved exercise) and this one
  submission, copied file by file (regular files only: a symbolic link could point at the instructor's files);
- ``nbgrader autograde`` runs there inside :func:`.sandbox.sandbox_command`: namespaces of
  their own (``--unshare-all``: no network, ``lo`` only; no other process; a private /tmp), an unprivileged user
  with no capabilities, and a file system of the system's libraries, this Python and the course package
  (read-only) and the scratch folder: the class's gradebook, the instructor's source, the hidden cases and the
  other submissions are not bound, so they do not exist in there;
- limits: ``setrlimit`` before bubblewrap starts, inherited by nbgrader and the kernel (address space
  ``megabytes``, CPU seconds, the size of any file written); a per-cell timeout (nbgrader's ``Execute.timeout``,
  the kernel interrupted), a per-notebook budget (:class:`TimedExecute`) and a wall-clock limit on the whole run
  after which the sandbox is killed (``--die-with-parent`` takes every process in it along).

The points come from the isolated grader (:mod:`.verify`, a sandbox of its own, run first, before the kernel can
rewrite the scratch copy). Once the sandbox has ended (its PID namespace, and every process the student started,
with it), the trusted worker removes every symbolic link left in the scratch folder, writes the grades into the
scratch gradebook from what it read itself before the kernel ran (:func:`apply_grades`: the isolated points, the
written answers, the hand-in's timestamp; nothing the kernel wrote there survives), and renders the feedback with
nbgrader's API (an HTML conversion; no code of the student's runs). The task returns the grades, the autograded
notebooks and the feedback as data; only the caller writes into the class's course directory, so a task that ran
twice (its worker died) writes nothing twice.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import nbformat
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbgrader.api import Gradebook
from nbgrader.apps.api import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, Execute, GetGrades
from nbgrader.utils import parse_utc
from sqlalchemy.exc import SAWarning
from traitlets import Integer
from traitlets.config import Config

from .. import exercises, yours
from . import autograde, sandbox, submissions, verify
from .grading import COURSE_ID, GRADING, HIDDEN_BEGIN, HIDDEN_END, nbgrader

_HIDDEN = re.compile(rf"^[ \t]*{re.escape(HIDDEN_BEGIN)}.*?^[ \t]*{re.escape(HIDDEN_END)}[ \t]*\n?", re.M | re.S)
#: nbgrader's command line, started after the course's tooling package: that keeps jsonschema from compiling
#: rfc3987-syntax's grammars (seconds per nbgrader start on a slow machine; see tools/__init__.py).
_NBGRADER = "import fashion_helpers.tools; from nbgrader.apps.nbgraderapp import main; main()"
#: What nbgrader's release puts in an answer cell (ClearSolutions.text_stub).
ANSWER_STUB = "YOUR ANSWER HERE"
#: Default limits of one submission's kernel run.
LIMITS = {"cell_seconds": 120, "notebook_seconds": 600, "megabytes": 4096, "file_megabytes": 256}


class TimedExecute(Execute):
    """nbgrader's Execute with a budget per notebook: each cell may take the per-cell timeout or what is left of
    the notebook's ``notebook_timeout``, whichever is less; once it is spent, every remaining cell gets a second
    (nbgrader interrupts it and records CellTimeoutError), so one endless notebook cannot hold the others."""

    notebook_timeout = Integer(600, help="seconds for the whole notebook").tag(config=True)

    def preprocess_cell(self, cell, resources, index):
        if index == 0 or not hasattr(self, "_deadline"):
            self._deadline, self._cell_timeout = time.monotonic() + self.notebook_timeout, self.timeout
        self.timeout = max(1, int(min(self._cell_timeout, self._deadline - time.monotonic())))
        return super().preprocess_cell(cell, resources, index)


def scratch_config(root: Path, limits: dict) -> str:
    """The nbgrader configuration of a scratch course: no hidden cases, deleted graded cells put back."""
    return (
        "from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor\n"
        "from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, ClearHiddenTests, GetGrades,\n"
        "    IgnorePattern, LimitOutput, SaveAutoGrades)\n"
        "from fashion_helpers.tools.gradetask import TimedExecute\n\n"
        "c = get_config()\n"
        f"c.CourseDirectory.course_id = {COURSE_ID!r}\n"
        f"c.CourseDirectory.root = {str(root)!r}\n"
        f"c.Execute.timeout = {int(limits['cell_seconds'])}\n"
        f"c.TimedExecute.timeout = {int(limits['cell_seconds'])}\n"
        f"c.TimedExecute.notebook_timeout = {int(limits['notebook_seconds'])}\n"
        "c.Execute.kernel_name = 'python3'\n"
        "c.OverwriteCells.add_missing_cells = True\n"
        "c.Autograde.autograde_preprocessors = [TimedExecute, IgnorePattern, ClearMetadataPreprocessor, LimitOutput,\n"
        "    SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]\n"
        "c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]\n"
    )


def build_template(course: Path, assignment: str, template: Path) -> list[str]:
    """The part of ``course`` a submission's sandbox may hold, in ``template``: the assignment's source with every
    hidden-test region removed, a gradebook made from it by ``nbgrader generate_assignment`` (this assignment's
    cells, no student), and the working copies. Run once per class, in the trusted caller. Returns the notebook
    names of the assignment."""
    if template.exists():
        shutil.rmtree(template)
    source = template / "source" / assignment
    shutil.copytree(course / "source" / assignment, source, symlinks=False)
    for path in source.glob("*.ipynb"):
        nb = nbformat.read(str(path), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.source = _HIDDEN.sub("", cell.source).rstrip("\n")
        nbformat.write(nb, str(path))
    shutil.copy2(course / GRADING / "course_functions.py", template / "course_functions.py")
    (template / "nbgrader_config.py").write_text(scratch_config(template.resolve(), LIMITS))
    nbgrader(template, "generate_assignment", assignment, "--force", log=template / "generate.log")
    shutil.rmtree(template / "release", ignore_errors=True)
    (template / "nbgrader_config.py").unlink()
    return sorted(p.stem for p in source.glob("*.ipynb"))


def _limit(megabytes: int, cpu_seconds: int, file_megabytes: int):
    """The resource limits every process in the sandbox inherits (set in the child, before bwrap starts)."""

    def apply():
        for which, value in (
            (resource.RLIMIT_AS, megabytes << 20),
            (resource.RLIMIT_CPU, cpu_seconds),
            (resource.RLIMIT_FSIZE, file_megabytes << 20),
        ):
            hard = resource.getrlimit(which)[1]
            resource.setrlimit(which, (value if hard == resource.RLIM_INFINITY else min(value, hard), hard))

    return apply


def run_sandboxed(scratch: Path, root: Path, args: list[str], limits: dict, wall: float, log: Path) -> str | None:
    """``nbgrader ARGS`` in the scratch course ``root``, inside bubblewrap and the limits. None when it finished,
    else why not, in words (it timed out and was killed, or it failed)."""
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "HOME": str(scratch / "home"),
        "JUPYTER_PATH": str(Path(sys.prefix) / "share" / "jupyter"),
        "JUPYTER_RUNTIME_DIR": str(scratch / "home" / "runtime"),
        "IPYTHONDIR": str(scratch / "home" / "ipython"),
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": str(scratch / "home" / "matplotlib"),
        yours.RECORD_VARIABLE: str(scratch / "record" / "my_functions.py"),
        yours.WORKING_COPIES_VARIABLE: str(root / "course_functions.py"),
    }
    (scratch / "home").mkdir(exist_ok=True)
    (scratch / "record").mkdir(exist_ok=True)
    command = sandbox.sandbox_command(scratch, program=[sys.executable, "-c", _NBGRADER, *args], env=env, chdir=root)
    with open(log, "ab") as handle:
        process = subprocess.Popen(
            command,
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            preexec_fn=_limit(limits["megabytes"], int(wall), limits["file_megabytes"]),
            start_new_session=True,
        )
        try:
            code = process.wait(wall)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
            return f"nbgrader's run took longer than {wall:g} s and was stopped"
    if code == 0:
        return None
    causes = re.findall(r"^\s*(?:\w+\.)*(\w+(?:Error|Exception): [^\n]{0,160})", log.read_text(errors="replace"), re.M)
    return f"nbgrader {args[0]} failed (exit {code}{': ' + causes[-1].strip() if causes else ''})"


def answers(submitted: Path) -> dict[str, list[str]]:
    """The inline answers a submission wrote (not the release's stub), by notebook, read in the trusted worker
    before the kernel runs: which cells formgrader must show. Nothing the kernel writes later counts."""
    written = {}
    for path in sorted(submitted.glob("*.ipynb")):
        cells = nbformat.read(str(path), as_version=4).cells
        written[path.stem] = [
            c.metadata["nbgrader"]["grade_id"]
            for c in cells
            if c.get("metadata", {}).get("nbgrader", {}).get("grade_id", "").startswith("answer_")
            and c.source.strip() not in ("", ANSWER_STUB)
        ]
    return written


def timestamp(submitted: Path) -> str | None:
    """The submission's ``timestamp.txt`` (nbgrader's), read before the kernel runs, as ISO text."""
    try:
        return parse_utc((submitted / "timestamp.txt").read_text().strip()).isoformat()
    except (OSError, ValueError, OverflowError):
        return None


def apply_grades(database: Path, assignment: str, result: dict) -> float:
    """Write a submission's grades into the gradebook ``database``: the isolated grader's points on every test cell
    (0 for a notebook not graded), the written answers to grade by hand, an unwritten one 0; the submission
    created when missing. The same for the scratch gradebook (before the feedback) and the class gradebook, so
    nothing the kernel wrote survives in either. Returns what the test cells held before (the kernel's claims)."""
    points = {(v["notebook"], f"{v['exercise'].lower()}_check"): v for v in result.get("verdicts", [])}
    written = {(nb, grade_id) for nb, ids in result.get("answers", {}).items() for grade_id in ids}
    stamp = dt.datetime.fromisoformat(result["timestamp"]) if result.get("timestamp") else None
    claimed = 0.0
    with Gradebook(f"sqlite:///{database}", COURSE_ID) as gradebook, warnings.catch_warnings():
        # nbgrader's own add_submission trips SQLAlchemy's autoflush warning (its autograde does too): harmless
        warnings.simplefilter("ignore", SAWarning)
        gradebook.update_or_create_student(result["student"])
        submission = gradebook.update_or_create_submission(
            assignment, result["student"], **({"timestamp": stamp} if stamp else {})
        )
        for notebook in submission.notebooks:
            for grade in notebook.grades:
                key = (notebook.name, grade.name)
                if grade.name.endswith("_check"):
                    claimed += grade.auto_score or 0.0
                    verdict = points.get(key)
                    grade.auto_score = verdict["points"] * grade.max_score / verdict["max_points"] if verdict else 0.0
                    grade.needs_manual_grade = False
                elif key in written:
                    grade.auto_score, grade.needs_manual_grade = None, True
                else:  # an answer not written, a notebook not handed in, a refused submission
                    grade.auto_score, grade.needs_manual_grade = 0.0, False
        gradebook.db.commit()
    return claimed


def _defuse(scratch: Path) -> None:
    """Remove every symbolic link the sandbox left in the scratch folder, before trusted code reads it: in there
    a link's target does not exist, out here it could be the instructor's source or the class gradebook."""
    for folder, dirs, files in os.walk(scratch):
        for name in dirs + files:
            if os.path.islink(os.path.join(folder, name)):
                os.unlink(os.path.join(folder, name))


def feedback(root: Path, assignment: str, student: str) -> str | None:
    """nbgrader's feedback, generated here with nbgrader's API: an HTML rendering of the autograded notebook (no
    code of the student's runs), with the hidden tests cleared, as nbgrader and formgrader render students'
    notebooks in the instructor's own process. None, or why it failed."""
    config = Config()
    config.CourseDirectory.root = str(root)
    config.CourseDirectory.course_id = COURSE_ID
    config.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    outcome = api.generate_feedback(assignment, student, force=True)
    if outcome.get("success"):
        return None
    lines = [line for line in (outcome.get("error") or outcome.get("log") or "").splitlines() if line.strip()]
    return f"nbgrader's feedback failed ({lines[-1].strip()[:160] if lines else 'no reason given'})"


def _files(folder: Path, pattern: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob(pattern)) if p.is_file() and not p.is_symlink()}


def grade(course: str, template: str, student: str, assignment: str, limits: dict) -> dict:
    """Grade one submission of ``course`` (see the module's docstring); returns what :mod:`.classgrade` records:
    ``status`` (graded / refused), the intake's notes and problems of the kernel run, the isolated grader's
    verdicts and points, the gradebook records, and the autograded notebooks and feedback as bytes."""
    course, template, start = Path(course), Path(template), time.monotonic()
    result = {"student": student, "assignment": assignment, "notes": [], "problems": []}
    with tempfile.TemporaryDirectory(prefix="class-grading-") as folder:
        scratch = Path(folder)
        root = scratch / "course"
        shutil.copytree(template, root)
        (root / "nbgrader_config.py").write_text(scratch_config(root, limits))
        submitted = root / "submitted" / student / assignment
        expected = sorted(p.stem for p in (template / "source" / assignment).glob("*.ipynb"))
        intake = submissions.prepare(course / "submitted" / student / assignment, submitted, expected)
        result["notes"] = intake.notes
        if intake.refused:
            most = sum(1.0 for e in exercises.catalogue().values() if e.notebook in expected)
            return {
                **result,
                "status": "refused",
                "reason": intake.refused,
                "graded": 0.0,
                "max": most,
                "seconds": time.monotonic() - start,
            }
        result.update(answers=answers(submitted), timestamp=timestamp(submitted))
        reference, hidden = verify.load_key(course / GRADING)
        phases = {"intake": time.monotonic() - start}
        # before the kernel: in the sandbox it may rewrite the scratch copy of its own notebook
        verdicts = verify.grade_submission(submitted, reference, hidden)
        result["verdicts"] = verify.as_dicts(verdicts)
        phases["isolated grader"] = time.monotonic() - start - sum(phases.values())
        wall = limits["notebook_seconds"] * max(1, len(intake.notebooks)) + 60
        log = scratch / "nbgrader.log"
        problem = run_sandboxed(
            scratch, root, ["autograde", assignment, "--student", student, "--force"], limits, wall, log
        )
        _defuse(scratch)  # the sandbox has ended: nothing of the student's runs any more
        phases["nbgrader autograde"] = time.monotonic() - start - sum(phases.values())
        native = apply_grades(root / "gradebook.db", assignment, result)
        autograded = root / "autograded" / student / assignment
        if problem is None and autograded.is_dir():
            autograde._annotate(autograded, verdicts)
            problem = feedback(root, assignment, student)
        phases["feedback"] = time.monotonic() - start - sum(phases.values())
        if problem:
            result["problems"].append(problem)
        result["problems"] += submissions.kernel_troubles(autograded)
        result.update(
            status="graded",
            native=native,
            graded=sum(v.points for v in verdicts),
            max=sum(v.max_points for v in verdicts),
            autograded=_files(autograded, "*.ipynb"),
            feedback=_files(root / "feedback" / student / assignment, "*.html"),
            log=log.read_text(errors="replace")[-4000:] if log.exists() else "",
            seconds=time.monotonic() - start,
            phases={k: round(v, 2) for k, v in phases.items()},
        )
    return result
