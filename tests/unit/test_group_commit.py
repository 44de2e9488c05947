"""Group commit: concurrent callers share batches, each gets its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from gateway.group_commit import GroupCommit


class Recorder:
    """A batch handler that doubles numbers, refuses negatives, and fails on 13."""

    def __init__(self, delay: float = 0.0) -> None:
        self.batches: list[list[int]] = []
        self.delay = delay

    async def __call__(self, items: Sequence[int]) -> list[int | Exception]:
        self.batches.append(list(items))
        await asyncio.sleep(self.delay)
        if 13 in items:
            raise RuntimeError("the whole transaction failed")
        return [ValueError(f"{i} refused") if i < 0 else i * 2 for i in items]


async def test_a_lone_call_runs_at_once_in_a_batch_of_its_own():
    handler = Recorder()
    commit = GroupCommit(handler, name="t")
    assert await commit(4) == 8
    assert handler.batches == [[4]]


async def test_calls_that_arrive_while_batches_run_share_the_next_batch():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    results = await asyncio.gather(*(commit(i) for i in range(1, 7)))
    assert results == [2, 4, 6, 8, 10, 12]
    assert handler.batches == [[1], [2, 3, 4, 5, 6]]


async def test_no_more_than_max_concurrent_batches_run_at_once():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=2)
    await asyncio.gather(*(commit(i) for i in range(1, 6)))
    assert handler.batches == [[1], [2], [3, 4, 5]]


async def test_batches_are_capped_at_max_batch_items():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_batch=2, max_concurrent=1)
    await asyncio.gather(*(commit(i) for i in range(1, 6)))
    assert handler.batches == [[1], [2, 3], [4, 5]]


async def test_a_refused_item_fails_only_its_own_caller():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    results = await asyncio.gather(
        commit(1), commit(2), commit(-3), commit(4), return_exceptions=True
    )
    assert results[:2] == [2, 4]
    assert results[3] == 8
    assert isinstance(results[2], ValueError)
    assert handler.batches == [[1], [2, -3, 4]]


async def test_a_failed_batch_is_retried_one_item_at_a_time():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    results = await asyncio.gather(
        commit(1), commit(2), commit(13), commit(4), return_exceptions=True
    )
    assert [results[0], results[1], results[3]] == [2, 4, 8]
    assert isinstance(results[2], RuntimeError)
    assert handler.batches == [[1], [2, 13, 4], [2], [13], [4]]


async def test_a_caller_cancelled_while_queued_is_left_out_of_the_batch():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    first = asyncio.ensure_future(commit(1))
    await asyncio.sleep(0)
    doomed = asyncio.ensure_future(commit(2))
    kept = asyncio.ensure_future(commit(3))
    await asyncio.sleep(0)
    doomed.cancel()
    assert await first == 2
    assert await kept == 6
    assert handler.batches == [[1], [3]]


async def test_drain_waits_for_running_batches():
    handler = Recorder(delay=0.02)
    commit = GroupCommit(handler, name="t")
    task = asyncio.ensure_future(commit(5))
    await asyncio.sleep(0)
    await commit.drain()
    assert task.done()
    assert task.result() == 10


def test_a_batch_size_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        GroupCommit(Recorder(), name="t", max_batch=0)


class _FailsOnce:
    """A handler whose first multi-item batch fails as a whole; records what it ran."""

    def __init__(self) -> None:
        self.ran: list[list[int]] = []
        self.live = 0
        self.peak = 0

    async def __call__(self, items: Sequence[int]) -> list[int]:
        self.ran.append(list(items))
        self.live += 1
        self.peak = max(self.peak, self.live)
        try:
            await asyncio.sleep(0.02)
            if len(items) > 1 and len(self.ran) == 2:
                raise RuntimeError("the whole transaction failed")
            return [i * 2 for i in items]
        finally:
            self.live -= 1


async def test_a_caller_cancelled_during_a_failed_batch_is_not_run_again_alone():
    handler = _FailsOnce()
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    first = asyncio.ensure_future(commit(1))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(commit(2))
    kept = asyncio.ensure_future(commit(3))
    await asyncio.sleep(0.03)  # batch [2, 3] is running
    gone.cancel()
    assert await first == 2
    assert await kept == 6
    # batch [2, 3] rolled back; its caller 2 had given up, so nothing should be done for it
    assert [2] not in handler.ran, handler.ran


async def test_retrying_a_failed_batch_respects_max_concurrent():
    handler = _FailsOnce()
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    await asyncio.gather(*(commit(i) for i in range(1, 11)))
    assert handler.peak <= commit.max_concurrent, f"{handler.peak} transactions at once"


async def test_with_same_turn_calls_queued_in_one_turn_share_the_first_batch():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_concurrent=2, same_turn=True)
    results = await asyncio.gather(*(commit(i) for i in range(1, 7)))
    assert results == [2, 4, 6, 8, 10, 12]
    assert handler.batches == [[1, 2, 3, 4, 5, 6]]


async def test_with_same_turn_a_lone_call_still_runs_in_a_batch_of_its_own():
    handler = Recorder()
    commit = GroupCommit(handler, name="t", same_turn=True)
    assert await commit(4) == 8
    assert handler.batches == [[4]]


async def test_with_same_turn_a_full_batch_leaves_the_rest_to_a_free_slot():
    handler = Recorder(delay=0.01)
    commit = GroupCommit(handler, name="t", max_batch=2, max_concurrent=2, same_turn=True)
    await asyncio.gather(*(commit(i) for i in range(1, 6)))
    assert handler.batches == [[1, 2], [3, 4], [5]]


async def test_with_same_turn_a_caller_cancelled_while_queued_is_left_out():
    handler = Recorder()
    commit = GroupCommit(handler, name="t", same_turn=True)
    gone = asyncio.ensure_future(commit(1))
    kept = asyncio.ensure_future(commit(2))
    await asyncio.sleep(0)
    gone.cancel()
    assert await kept == 4
    assert handler.batches == [[2]]


async def test_many_items_of_one_caller_share_a_batch_and_answer_in_order():
    handler = Recorder()
    commit = GroupCommit(handler, name="t", max_concurrent=1)
    assert await commit.many([3, 1, 2]) == [6, 2, 4]
    assert handler.batches == [[3, 1, 2]]


async def test_many_raises_the_first_error_once_every_item_is_done():
    handler = Recorder()
    commit = GroupCommit(handler, name="t")
    with pytest.raises(ValueError, match="-1 refused"):
        await commit.many([1, -1, -2, 4])
    assert handler.batches == [[1, -1, -2, 4]]
