"""The course's execution engine: Dask ``distributed``, on this machine's cores or on a running cluster.

Grading a class (:mod:`.classgrade`) and a parameter sweep (:mod:`.sweep`) are both many independent tasks whose
results the calling process records as each one finishes. Dask's ``distributed`` runs them: without an address a
``LocalCluster`` of worker *processes* (one task at a time each) on this machine; with ``--scheduler ADDRESS`` the
same tasks go to a scheduler that is already running (``dask scheduler`` and ``dask worker ADDRESS`` on other
machines, or workers that ``dask-jobqueue`` submits to Slurm/PBS, or ``dask-kubernetes`` pods). Dask was chosen
over a home-made pool because it already solves what a class needs past one machine: workers joining and leaving,
and a task whose worker died being run again elsewhere (the scheduler retries it on another worker up to
``distributed.scheduler.allowed-failures`` times, then reports ``KilledWorker``, which :meth:`Engine.run` hands to
the caller as that task's failure; nothing is lost silently).

Tasks are plain functions of this package (the workers import them; they need the course's environment) and
their arguments; results come back to the caller, who alone writes the records, so a task may run twice (after a
worker died) without writing anything twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Hashable, Iterable
from concurrent.futures import CancelledError

from distributed import Client, LocalCluster, as_completed

from ..errors import CourseInputError

#: How long to wait for a scheduler given by address, and for local workers to start (seconds).
CONNECT_SECONDS = 20
#: How many times a task is submitted again when it finished but its result was lost before it reached the caller
#: (the worker holding it died in between), or the scheduler dropped it.
LOST_RESULTS = 2


class TaskFailed(Exception):
    """A task raised, or every worker that ran it died; ``reason`` says which in one line."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def _reason(error: BaseException) -> str:
    if type(error).__name__ == "KilledWorker":
        return "the workers running it died (killed, or out of memory) every time it was tried"
    words = str(error).strip().splitlines()
    return f"{type(error).__name__}: {words[0] if words else ''}"


class Engine:
    """Dask, started here (``workers`` local worker processes) or reached at ``scheduler`` (an address such as
    ``tcp://10.0.0.5:8786``). Use as a context manager: a local cluster stops with it, a remote one stays up."""

    def __init__(self, scheduler: str | None = None, workers: int = 2, connect_seconds: float = CONNECT_SECONDS):
        if workers < 1:
            raise CourseInputError(f"--jobs must be at least 1, got {workers}")
        self.address, self.local_workers, self.connect_seconds = scheduler, workers, connect_seconds
        self.cluster: LocalCluster | None = None
        self.client: Client | None = None

    def __enter__(self) -> Engine:
        if self.address:
            try:
                self.client = Client(self.address, timeout=self.connect_seconds)
            except (OSError, TimeoutError) as error:
                raise CourseInputError(
                    f"no Dask scheduler answers at {self.address} ({type(error).__name__}): start one with "
                    "'dask scheduler' and workers with 'dask worker ADDRESS', or leave out --scheduler to use "
                    "this machine's cores"
                ) from None
        else:
            # processes, one thread each: a task runs kernels and sandboxes of its own; no dashboard (no port)
            self.cluster = LocalCluster(
                n_workers=self.local_workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
            self.client = Client(self.cluster)
        return self

    def __exit__(self, *exc) -> None:
        if self.client is not None:
            self.client.close()
        if self.cluster is not None:
            self.cluster.close()

    def workers(self) -> int:
        """How many workers the scheduler has now (a cluster's may change while tasks run)."""
        return len(self.client.scheduler_info(n_workers=-1)["workers"])

    def run(
        self,
        task: Callable,
        items: Iterable[tuple[Hashable, tuple]],
        on_result: Callable[[Hashable, object], None],
        on_failure: Callable[[Hashable, TaskFailed], None],
        retries: int = 1,
        label: str = "task",
    ) -> None:
        """Run ``task(*args)`` for each ``(name, args)`` of ``items`` on the workers; as each finishes, call
        ``on_result(name, result)`` here, or ``on_failure(name, TaskFailed)`` when it raised ``retries + 1``
        times or its workers kept dying. Every item ends in one of the two, once."""
        run_id, futures = uuid.uuid4().hex[:8], {}
        pending = as_completed()

        def submit(name, args, attempt: int) -> None:
            key = f"{label}-{name}-{run_id}-{attempt}"
            future = self.client.submit(task, *args, key=key, pure=False, retries=retries)
            futures[future] = (name, args, attempt)
            pending.add(future)

        for name, args in items:
            submit(name, args, 0)
        for future in pending:
            name, args, attempt = futures.pop(future)
            try:
                if future.status == "finished":
                    outcome, failed = future.result(), None
                elif future.status == "error":
                    outcome, failed = None, TaskFailed(_reason(future.exception()))
                else:
                    raise CancelledError(f"the scheduler lost it ({future.status})")
            except Exception as error:  # noqa: BLE001  (its result went with a worker that died: run it again)
                future.release()
                if attempt < LOST_RESULTS:
                    submit(name, args, attempt + 1)
                    continue
                outcome, failed = None, TaskFailed(f"its result was lost {attempt + 1} times ({_reason(error)})")
            future.release()
            if failed is None:
                on_result(name, outcome)
            else:
                on_failure(name, failed)
