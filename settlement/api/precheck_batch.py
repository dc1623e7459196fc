"""Run the jobs that wait at the same moment as one: the pre-check's rules, once per batch.

The rules cost about the same on one claim's few hundred rows as on a few thousand (polars'
cost per plan is fixed, not per row), so under load the claims that arrive while a batch runs
are checked together in the next one. The first caller that finds no batch running runs one:
its own job and the compatible jobs waiting (same key, no two with the same conflict value,
at most `limit`), then hands each job its result. A caller alone runs alone, at once: no
waiting for company, so the latency of a single request is that of running it by itself.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")  # a job's result; run() may hand back an exception in its place


@dataclass(eq=False)
class _Entry(Generic[J, R]):
    job: J
    done: bool = False
    result: R | None = None
    error: BaseException | None = None


class Combiner(Generic[J, R]):
    """`submit(job)` returns `run([job, ...])`'s result for the job; concurrent jobs share runs.

    `run` takes a list of jobs and returns one result per job, in order: an exception for a
    job that fails on its own (it is raised to that job's caller only). Jobs are only run
    together when `key(job)` is equal and `conflict(job)` differs (e.g. the same person's two
    claims must not see each other). When a combined run fails, its jobs are run one by one,
    so one bad job fails alone.
    """

    def __init__(
        self,
        run: Callable[[Sequence[J]], Sequence[R]],
        *,
        key: Callable[[J], Hashable],
        conflict: Callable[[J], Hashable],
        limit: int = 32,
    ) -> None:
        self._run = run
        self._key = key
        self._conflict = conflict
        self._limit = limit
        self._condition = threading.Condition()
        self._waiting: list[_Entry[J, R]] = []
        self._busy = False
        self.batches = 0  # runs so far, and the jobs they held: for the benchmark's printout
        self.jobs = 0

    def submit(self, job: J) -> R:
        entry: _Entry[J, R] = _Entry(job)
        with self._condition:
            self._waiting.append(entry)
            while self._busy and not entry.done:
                self._condition.wait()
            if entry.done:
                return self._outcome(entry)
            self._busy = True
            batch = self._take(entry)
        try:
            self._execute(batch)
        finally:
            with self._condition:
                self._busy = False
                self._condition.notify_all()
        return self._outcome(entry)

    def _take(self, own: _Entry[J, R]) -> list[_Entry[J, R]]:
        """The caller's own entry first, then compatible waiting ones in arrival order."""
        key = self._key(own.job)
        batch, seen = [own], {self._conflict(own.job)}
        for entry in self._waiting:
            if len(batch) >= self._limit:
                break
            if entry is own or self._key(entry.job) != key:
                continue
            conflict = self._conflict(entry.job)
            if conflict in seen:
                continue
            seen.add(conflict)
            batch.append(entry)
        taken = set(map(id, batch))
        self._waiting = [entry for entry in self._waiting if id(entry) not in taken]
        return batch

    def _execute(self, batch: list[_Entry[J, R]]) -> None:
        self.batches += 1
        self.jobs += len(batch)
        try:
            results = self._run([entry.job for entry in batch])
        except Exception as error:
            if len(batch) == 1:
                self._finish(batch[0], None, error)
                return
            for entry in batch:  # one bad job must not fail the others
                self._execute([entry])
            return
        for entry, result in zip(batch, results, strict=True):
            if isinstance(result, BaseException):
                self._finish(entry, None, result)
            else:
                self._finish(entry, result, None)

    def _finish(self, entry: _Entry[J, R], result: R | None, error: BaseException | None) -> None:
        with self._condition:
            entry.result, entry.error, entry.done = result, error, True

    @staticmethod
    def _outcome(entry: _Entry[J, R]) -> R:
        if entry.error is not None:
            raise entry.error
        return entry.result  # type: ignore[return-value]
