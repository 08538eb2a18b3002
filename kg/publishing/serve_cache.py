"""The pages of one build, kept: `kg serve` answers from a store opened read-only, so a page made
once (the same path, parameters and Accept header) is the same page until the server stops.

- Kept: answers with status 200, least recently used first out once the bytes kept pass
  `max_bytes`; an answer larger than a quarter of that is not kept.
- One making per page: requests for a page that a worker is already making wait for that answer
  instead of taking a worker each (fifty readers of the home page take one worker, not fifty).
- Not kept: errors (4xx, 503 past the deadline...), which the next request tries again.

SPARQL answers are not kept: a query is the client's own, rarely repeated word for word, and a
large answer would push the pages out.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import replace

from kg.publishing.serve_worker import Reply, text_reply

DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class PageCache:
    def __init__(self, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self.max_bytes = max_bytes
        self.kept: OrderedDict[Hashable, Reply] = OrderedDict()
        self.size = 0
        self.making: dict[Hashable, asyncio.Future[Reply]] = {}

    async def get(self, key: Hashable, make: Callable[[], Awaitable[Reply]]) -> Reply:
        """The kept answer for `key`, the one being made, or a new one from `make()`; each
        carries `X-Cache: hit` or `miss`."""
        kept = self.kept.get(key)
        if kept is not None:
            self.kept.move_to_end(key)
            return _marked(kept, "hit")
        pending = self.making.get(key)
        if pending is not None:
            return _marked(await asyncio.shield(pending), "hit")
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        self.making[key] = future
        try:
            reply = await make()
        except BaseException:
            # the requests waiting for it are told to come again; this one's error goes on
            future.set_result(text_reply(503, "the page could not be made: try again",
                                         {"Retry-After": "1"}))
            raise
        finally:
            del self.making[key]
        future.set_result(reply)
        self._keep(key, reply)
        return _marked(reply, "miss")

    def _keep(self, key: Hashable, reply: Reply) -> None:
        size = len(reply.body)
        if reply.status != 200 or size > self.max_bytes // 4:
            return
        self.kept[key] = reply
        self.size += size
        while self.size > self.max_bytes:
            _, old = self.kept.popitem(last=False)
            self.size -= len(old.body)


def _marked(reply: Reply, how: str) -> Reply:
    return replace(reply, headers={**reply.headers, "X-Cache": how})
