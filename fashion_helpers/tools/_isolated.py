"""The isolated grader's own processes: a clean server, and one child per exercise of a submission.

``python -I -m fashion_helpers.tools._isolated`` is the server: a fresh interpreter that imports numpy and the
course package, then reads jobs, one JSON line each, on stdin. It never holds the reference solutions or the
expected outputs, only what the jobs bring: the exercise's name, the student's cell, the course's copies of the
earlier exercises that cell calls, and the cases' inputs. For each job it forks a child and answers with one
JSON line: what each call returned, or why there is nothing to judge. The child, before any of the student's code:

- limits its own CPU time and memory (``setrlimit``), and drops the course's environment variables;
- sends the student's prints to nowhere;
- installs an audit hook (which no later code can remove) that refuses to open, list or change files outside
  the folders it may read (Python's own libraries and the course package) and the scratch folder, and refuses
  sockets, subprocesses, ``os.system``, forks and ctypes.

It sends back what each call returned, never a verdict: the grader judges the outputs against answers this
process never sees. The boundary is the operating system's: the grader starts this server inside bubblewrap
(:func:`fashion_helpers.tools.sandbox.sandbox_command`), as an unprivileged user, in namespaces of its own, where the
only files are Python's, the course package's (read-only) and the scratch folder, and there is no network. The
audit hook is a second layer, and tells the student in words what was refused.
"""

from __future__ import annotations

import _posixsubprocess
import importlib
import io
import json
import os
import resource
import select
import signal
import sys
import time
import types

import numpy as np  # imported before the fork, as the rest: every child has it at no cost

from .. import analysis, checks, data, errors, exercises, network, training, yours  # noqa: F401  (the same)
from ..checks import _framework
from ..checks._values import encode

#: Audit events refused outright, whatever their arguments.
_REFUSED = (
    "socket.",
    "subprocess.",
    "os.system",
    "os.exec",
    "os.spawn",
    "os.posix_spawn",
    "os.fork",
    "os.forkpty",
    "os.kill",
    "os.killpg",
    "ctypes.",
    "pty.",
    "sys.setprofile",
    "sys.settrace",
    "mmap.",
    "webbrowser.",
    "urllib.",
    "http.",
    "ftplib.",
    "smtplib.",
    "telnetlib.",
    "resource.setrlimit",
    "resource.prlimit",
    "os.setuid",
    "os.chroot",
    "signal.",
)
#: Modules whose import is refused (what they do is refused anyway, by the events above and the folders).
_REFUSED_MODULES = {"pty", "answer_key", "_posixsubprocess"}
_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC
#: Audit events with paths, and which of their arguments are paths.
_PATH_EVENTS = {
    "open": (0,),
    "os.listdir": (0,),
    "os.scandir": (0,),
    "os.remove": (0,),
    "os.rename": (0, 1),
    "os.mkdir": (0,),
    "os.rmdir": (0,),
    "os.chmod": (0,),
    "os.chown": (0,),
    "os.symlink": (0, 1),
    "os.link": (0, 1),
    "os.truncate": (0,),
    "os.utime": (0,),
    "glob.glob": (0,),
    "os.chdir": (0,),
    "shutil.copyfile": (0, 1),
    "shutil.make_archive": (0,),
}
_WRITE_EVENTS = {
    "os.remove",
    "os.rename",
    "os.mkdir",
    "os.rmdir",
    "os.chmod",
    "os.chown",
    "os.symlink",
    "os.link",
    "os.truncate",
    "os.utime",
    "shutil.copyfile",
    "shutil.rmtree",
}


class GradingSandbox(PermissionError):
    """The isolated grader refused something the student's code tried (a file outside the folder, a socket, ...)."""


def _guard(readable: list[str], scratch: str):
    readable = [os.path.realpath(p) for p in readable]
    scratch = os.path.realpath(scratch)
    refused = _REFUSED

    def inside(path, folders):
        path = os.path.realpath(path)
        return any(path == f or path.startswith(f + os.sep) for f in folders)

    def hook(event, args):
        if event == "import" and str(args[0]).split(".")[0] in _REFUSED_MODULES:
            raise GradingSandbox(f"grading sandbox: importing {args[0]} is not allowed while your function is graded")
        if event.startswith(refused):
            raise GradingSandbox(f"grading sandbox: {event} is not allowed while your function is graded")
        if event in _PATH_EVENTS:
            mode, flags = (args[1], args[2]) if event == "open" and len(args) > 2 else (None, 0)
            writing = (
                event in _WRITE_EVENTS
                or (isinstance(mode, str) and any(c in mode for c in "wax+"))
                or (isinstance(flags, int) and flags & _WRITE_FLAGS)
            )
            for index in _PATH_EVENTS[event]:
                target = args[index] if index < len(args) else None
                if target is None or (isinstance(target, int) and event == "open"):
                    continue  # an open file descriptor: what it reaches, the operating system's sandbox decided
                target = os.fsdecode(target) if not isinstance(target, int) else f"file descriptor {target}"
                if writing and not inside(target, [scratch]):
                    raise GradingSandbox(f"grading sandbox: writing {target} is not allowed (only the scratch folder)")
                if not inside(target, readable + [scratch]):
                    raise GradingSandbox(
                        f"grading sandbox: reading {target} is not allowed: your function is graded "
                        "with nothing but its own cell"
                    )

    return hook


def _limits(seconds: int, megabytes: int) -> None:
    """At most ``seconds`` more of CPU time (the limit counts from the process's start) and ``megabytes`` of memory."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(usage.ru_utime + usage.ru_stime) + 1
    for which, soft in ((resource.RLIMIT_CPU, spent + seconds), (resource.RLIMIT_AS, megabytes * 1024 * 1024)):
        hard = resource.getrlimit(which)[1]
        resource.setrlimit(which, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))


def _silence() -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    os.dup2(devnull, 2)
    sys.stdout, sys.stderr = io.StringIO(), io.StringIO()


def _provide(functions: dict) -> None:
    """``yours.use`` in this process: the earlier exercises given to it, and for anything else (the exercise itself
    included) a function that stops with what is missing."""

    def load():
        module = types.ModuleType("my_functions")
        module.__dict__.update({n: functions.get(n) or yours.stand_in(n) for n in exercises.names()})
        return module

    yours.load = load
    yours.working_copies_path = lambda: None


def _disarm() -> None:
    """What starts a process without an audit event (subprocess imported it before the fork, so no import event
    either) is replaced by a function that refuses."""

    def refused(*args, **kwargs):
        raise GradingSandbox("grading sandbox: starting a process is not allowed while your function is graded")

    _posixsubprocess.fork_exec = refused


def run(job: dict) -> dict:
    """In the child: run one exercise's cases as the job says; ``{"outcomes": ...}``, ``{"open": True}`` or
    ``{"error": ...}``."""
    _limits(job["seconds"], job["megabytes"])
    for name in list(os.environ):
        if name.startswith("FASHION_") or name.startswith("NBGRADER"):
            del os.environ[name]
    os.chdir(job["scratch"])
    sys.path[:0] = [job["scratch"]]
    _silence()
    known = exercises.catalogue()
    # the model-selection search has no recorded cases: only its name matters to run_case
    exercise = known.get(job["name"]) or exercises.Exercise(job["name"], "", (), (), (), (), "", ())
    namespace = {"__name__": "my_functions", "np": np}
    try:
        for text in job["dependencies"]:
            exec(compile(text, "<the course's copy of an earlier exercise>", "exec"), namespace)
        _provide({n: namespace[n] for n in exercises.names() if n in namespace})
        _disarm()
        sys.addaudithook(_guard(job["readable"], job["scratch"]))
        exec(compile(job["source"], f"<your {job['name']}>", "exec"), namespace)
        fn = namespace.get(job["name"])
        if not callable(fn):
            return {"error": f"the cell defines no function {job['name']}"}
        cases = [{"calls": calls} for calls in job["calls"]]
        results = []
        for case in cases:
            outcomes = _framework.run_case(fn, exercise, case, watch=False)
            results.append(
                [
                    {"returned": encode(o.returned), "raised": o.raised, "changed": o.changed, "printed": o.printed}
                    for o in outcomes
                ]
            )
        return {"outcomes": results}
    except NotImplementedError:
        return {"open": True}
    except BaseException as error:  # the cell itself failed to run: say how, in one line
        words = str(error).splitlines()[0] if str(error) else ""
        return {"error": f"the cell does not run: {type(error).__name__}: {words}"}


#: The largest answer a child may send (bytes): a result bigger than any exercise's is a denial of service.
ANSWER_LIMIT = 32 * 1024 * 1024


def _child(job: dict, write_end: int) -> None:
    """The forked child: in a process group of its own, with no open file but /dev/null and the pipe it answers on
    (never the server's pipes to the grader). A job with a ``batch`` runs each of its jobs in turn, each in a
    namespace of its own (for the course's own tests)."""
    os.setpgid(0, 0)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    keep = sorted({0, 1, 2, write_end})
    for low, high in zip([-1] + keep, keep + [os.sysconf("SC_OPEN_MAX")], strict=True):
        if high > low + 1:  # an empty range closes far more than nothing on some Pythons
            os.closerange(low + 1, high)
    answer = {"batch": [run(one) for one in job["batch"]]} if "batch" in job else run(job)
    try:
        data = json.dumps(answer, allow_nan=False).encode()
    except (TypeError, ValueError) as error:
        data = json.dumps({"error": f"its result cannot be sent back ({type(error).__name__})"}).encode()
    with os.fdopen(write_end, "wb") as out:
        out.write(data)
    os._exit(0)


def serve_one(job: dict) -> dict:
    """In the server: fork a child for the job, wait for its answer within the job's wall time, and clean up."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            _child(job, write_end)
        finally:
            os._exit(1)
    os.close(write_end)
    chunks, size, deadline = [], 0, time.monotonic() + job["wall_seconds"]

    def end(error: str | None) -> int:
        """Stop the child and all it started; its exit status (or None when it had to be killed)."""
        while error is None and time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                _kill_group(pid)
                return status
            time.sleep(0.01)
        _kill_group(pid)
        os.waitpid(pid, 0)
        return None

    with os.fdopen(read_end, "rb") as answer:
        while True:
            ready, _, _ = select.select([answer], [], [], max(deadline - time.monotonic(), 0))
            if not ready:
                end("time")
                return {"error": f"it ran out of time (more than {job['wall_seconds']:g} s): an endless loop?"}
            chunk = os.read(answer.fileno(), 1 << 20)
            if not chunk:
                break
            size += len(chunk)
            if size > ANSWER_LIMIT:
                end("size")
                return {"error": f"its results are larger than {ANSWER_LIMIT >> 20} MB"}
            chunks.append(chunk)
    status = end(None)
    if status is None:
        return {"error": f"it ran out of time (more than {job['wall_seconds']:g} s): an endless loop?"}
    if chunks:
        try:
            return json.loads(b"".join(chunks))
        except ValueError:
            return {"error": "its answer came back garbled"}
    if os.WIFSIGNALED(status):
        return {
            "error": f"the grading process was stopped by signal {os.WTERMSIG(status)} (too much memory or CPU "
            "time: an endless loop, or a huge array?)"
        }
    return {"error": "the grading process ended without an answer (too much memory?)"}


def _kill_group(pid: int) -> None:
    for target in (lambda: os.killpg(pid, signal.SIGKILL), lambda: os.kill(pid, signal.SIGKILL)):
        try:
            target()
        except (ProcessLookupError, PermissionError):
            pass


def main(preload: list[str]) -> None:
    """The server: one job per line on stdin, one answer per line on stdout, until stdin closes. ``preload``: more
    modules to import once, before any fork."""
    for name in preload:
        importlib.import_module(name)

    out = os.fdopen(os.dup(1), "w")
    os.set_inheritable(out.fileno(), False)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
    out.write("ready\n")  # the grader waits for this before the first job: the sandbox started
    out.flush()
    for line in sys.stdin:
        out.write(json.dumps(serve_one(json.loads(line))) + "\n")
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
