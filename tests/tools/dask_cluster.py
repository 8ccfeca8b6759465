"""A real Dask cluster for the tests: ``dask scheduler`` and ``dask worker`` started as separate processes on the
loopback address, each worker in a process group of its own so that a test can kill one (nanny and worker
together) while tasks run."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from distributed import Client

ROOT = Path(__file__).resolve().parents[2]
DASK = Path(sys.executable).parent / "dask"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Cluster:
    """``workers`` named w0, w1, ... of one thread each, and the scheduler's ``address``; :meth:`kill` one."""

    def __init__(self, log_dir: Path, workers: int = 2):
        self.address = f"tcp://127.0.0.1:{free_port()}"
        # the workers import the tests' own task functions (tests.tools...) as well as the course package
        self.env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENBLAS_NUM_THREADS": "1"}
        self.logs = log_dir
        self.scheduler = self._start(
            "scheduler",
            [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", self.address.rsplit(":", 1)[1], "--no-dashboard"],
        )
        self.workers = {}
        for index in range(workers):
            self.add(f"w{index}")
        self.wait_for(workers)

    def _start(self, name: str, command: list[str]) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "w")  # noqa: SIM115  (closed with the process)
        return subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT, start_new_session=True
        )

    def wait_for(self, count: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        with Client(self.address, timeout=seconds) as client:
            while len(client.scheduler_info(n_workers=-1)["workers"]) < count:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{count} Dask workers did not start; see {self.logs}")
                time.sleep(0.2)

    def add(self, name: str) -> None:
        """One more worker, as a cluster's autoscaler (or an instructor) would start after losing one."""
        command = [str(DASK), "worker", self.address, "--name", name, "--nthreads", "1", "--host", "127.0.0.1"]
        self.workers[name] = self._start(name, [*command, "--no-dashboard"])

    def kill(self, name: str) -> None:
        """SIGKILL the worker's whole process group: its nanny cannot restart it, its tasks are lost with it."""
        os.killpg(self.workers[name].pid, signal.SIGKILL)
        self.workers[name].wait()

    def close(self) -> None:
        for process in [*self.workers.values(), self.scheduler]:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers.values(), self.scheduler]:
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
