"""The pages kept by kg serve (kg.publishing.serve_cache): a page is made once, concurrent
requests for it share one making, errors are not kept, the bytes kept stay under the bound."""

from __future__ import annotations

import asyncio

import pytest

from kg.publishing.serve_cache import PageCache
from kg.publishing.serve_worker import Reply


class Maker:
    """Counts the pages made; each making takes `delay` seconds."""

    def __init__(self, status: int = 200, size: int = 10, delay: float = 0.0) -> None:
        self.calls, self.status, self.size, self.delay = 0, status, size, delay

    async def __call__(self) -> Reply:
        self.calls += 1
        await asyncio.sleep(self.delay)
        return Reply(self.status, b"x" * self.size, "text/html")


def test_a_page_is_made_once_then_kept():
    async def run():
        cache, make = PageCache(), Maker()
        first = await cache.get("/", make)
        second = await cache.get("/", make)
        return make.calls, first, second

    calls, first, second = asyncio.run(run())
    assert calls == 1
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.body == second.body and second.status == 200


def test_concurrent_requests_share_one_making():
    async def run():
        cache, make = PageCache(), Maker(delay=0.05)
        replies = await asyncio.gather(*(cache.get("/", make) for _ in range(20)))
        return make.calls, [r.headers["X-Cache"] for r in replies]

    calls, marks = asyncio.run(run())
    assert calls == 1
    assert marks.count("miss") == 1 and marks.count("hit") == 19


@pytest.mark.parametrize("status", [400, 404, 429, 503])
def test_errors_are_not_kept(status):
    async def run():
        cache, make = PageCache(), Maker(status=status)
        await cache.get("/", make)
        await cache.get("/", make)
        return make.calls, cache.size

    assert asyncio.run(run()) == (2, 0)


def test_the_least_recently_used_page_goes_first_past_the_bound():
    async def run():
        cache = PageCache(max_bytes=100)
        make = Maker(size=20)
        for key in ("a", "b", "c", "d", "e"):
            await cache.get(key, make)
        await cache.get("a", make)  # a is used again: b is now the oldest
        await cache.get("f", make)  # 120 bytes: one page must go
        return list(cache.kept), cache.size

    kept, size = asyncio.run(run())
    assert kept == ["c", "d", "e", "a", "f"]
    assert size == 100


def test_a_page_larger_than_a_quarter_of_the_bound_is_not_kept():
    async def run():
        cache, make = PageCache(max_bytes=100), Maker(size=26)
        await cache.get("big", make)
        await cache.get("big", make)
        return make.calls, cache.size

    assert asyncio.run(run()) == (2, 0)


def test_a_making_that_fails_tells_its_waiters_to_come_again():
    async def broken() -> Reply:
        await asyncio.sleep(0.05)
        raise RuntimeError("worker lost")

    async def run():
        cache = PageCache()
        first = asyncio.ensure_future(cache.get("/", broken))
        await asyncio.sleep(0.01)
        waiter = await cache.get("/", broken)
        with pytest.raises(RuntimeError):
            await first
        return waiter, cache.making, cache.size

    waiter, making, size = asyncio.run(run())
    assert waiter.status == 503 and waiter.headers["Retry-After"] == "1"
    assert making == {} and size == 0
