"""Do two Rasa servers ever process one conversation at once? ``python -m ops.lock_race``.

Several processes (standing in for Rasa servers, each with its own lock store and its
own Redis connections, exactly as Rasa builds them from endpoints.yml) take the lock of
the same conversations over and over, as Rasa does around each message. Inside the
lock each one counts itself in on a Redis counter: a count above one means two
processes held one conversation's lock at the same moment. Measured for Rasa 3.6's
``RedisLockStore`` and for ``addons.lock_store.AtomicRedisLockStore``; the figures go to
reports/lock-race.md (``--report``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

STORES = ("rasa", "atomic")
HOLD_S = 0.003


@dataclass
class RaceResult:
    store: str
    processes: int
    rounds: int
    conversations: int
    locks_taken: int
    overlaps: int  # times a process found another inside the same conversation's lock
    lock_errors: int  # LockError: Rasa would answer 500 for that message
    seconds: float


def make_store(kind: str, url: str, prefix: str):  # -> LockStore
    if kind == "atomic":
        from addons.lock_store import AtomicRedisLockStore

        return AtomicRedisLockStore(url=url, key_prefix=prefix + "atomic:")
    from rasa.core.lock_store import RedisLockStore

    parsed = urlparse(url)
    return RedisLockStore(
        host=parsed.hostname or "127.0.0.1",
        port=parsed.port or 6379,
        db=int((parsed.path or "/0").strip("/") or 0),
        key_prefix=(prefix + "rasa").replace(":", ""),
    )


def _worker(
    kind: str, url: str, prefix: str, rounds: int, conversations: int, lifetime_s: float, queue
) -> None:
    import redis
    from rasa.core.lock_store import LockError

    counter = redis.Redis.from_url(url)
    store = make_store(kind, url, prefix)
    taken = overlaps = errors = 0

    async def run() -> None:
        nonlocal taken, overlaps, errors
        for n in range(rounds):
            conversation = f"race-{n % conversations}"
            inside_key = f"{prefix}inside:{kind}:{conversation}"
            try:
                async with store.lock(conversation, lifetime_s, 0.005):
                    taken += 1
                    if counter.incr(inside_key) > 1:
                        overlaps += 1
                    await asyncio.sleep(HOLD_S)
                    counter.decr(inside_key)
            except LockError:
                errors += 1

    asyncio.run(run())
    queue.put((taken, overlaps, errors))


def measure(
    kind: str,
    url: str,
    processes: int = 4,
    rounds: int = 200,
    conversations: int = 2,
    prefix: str = "payhelp:race:",
    lifetime_s: float = 3.0,
) -> RaceResult:
    import redis

    client = redis.Redis.from_url(url)
    for key in client.scan_iter(match=prefix + "*"):
        client.delete(key)
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    started = time.monotonic()
    workers = [
        context.Process(
            target=_worker,
            args=(kind, url, prefix, rounds, conversations, lifetime_s, queue),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
    return RaceResult(
        kind,
        processes,
        rounds,
        conversations,
        sum(r[0] for r in results),
        sum(r[1] for r in results),
        sum(r[2] for r in results),
        round(time.monotonic() - started, 2),
    )


def render(results: list[RaceResult], url: str) -> str:
    lines = [
        "# Two Rasa servers, one conversation: does the lock hold?",
        "",
        "`python -m ops.lock_race --report` on this machine (2 cores, Redis "
        f"{urlparse(url).hostname}:{urlparse(url).port}). Each of N processes takes the "
        "lock of the same conversations over and over, as a Rasa server does around each "
        "message, and counts itself in on a Redis counter while it holds it.",
        "",
        "| lock store | processes | rounds each | conversations | locks taken | "
        "overlaps (two holders at once) | LockError (a 500 from Rasa) | seconds |",
        "|---|---|---|---|---|---|---|---|",
    ]
    names = {
        "rasa": "Rasa 3.6 `RedisLockStore`",
        "atomic": "`addons.lock_store.AtomicRedisLockStore`",
    }
    for r in results:
        lines.append(
            f"| {names[r.store]} | {r.processes} | {r.rounds} | {r.conversations} | "
            f"{r.locks_taken} | {r.overlaps} | {r.lock_errors} | {r.seconds} |"
        )
    lines += [
        "",
        "Rasa's store reads the ticket list, changes it and writes it back (GET, SET): two "
        "servers issuing a ticket at once both see no lock and both go ahead "
        "(RasaHQ/rasa#9213), and a server deleting a lock it thinks is free makes another "
        "one's wait fail with LockError. The atomic store takes the lock with one "
        "`SET NX PX` and releases it with a compare-and-delete, so neither can happen. "
        "`endpoints.yml` uses it; `tests/scaled/test_lock_race.py` runs this measurement "
        "small and fails if the atomic store ever overlaps.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--report", action="store_true", help="write reports/lock-race.md")
    args = parser.parse_args()
    results = [measure(kind, args.redis, args.processes, args.rounds) for kind in STORES]
    for result in results:
        print(json.dumps(asdict(result)))
    if args.report:
        path = Path("reports/lock-race.md")
        path.write_text(render(results, args.redis), encoding="utf-8")
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
