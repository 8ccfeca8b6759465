"""The sandbox students' code runs in: bubblewrap (``bwrap``), the operating system's namespaces and resource limits.

:func:`sandbox_command` is the bwrap command line (no network, a new PID namespace, no capabilities, an
unprivileged user, read-only Python and course package, one scratch folder, an empty environment); :class:`Sandbox`
runs the isolated grader's server (:mod:`._isolated`) inside it for one submission and talks to it line by line,
with a deadline on every answer.
"""

from __future__ import annotations

import json
import os
import select
import shutil
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

from ..errors import CourseInputError
from . import _isolated


def readable() -> list[str]:
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
    folders = {os.path.realpath(f) for f in (sys.base_prefix, sys.prefix, *readable())}
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
