"""``make bench``: the project's configuration against Rasa 3.6's default, on this machine.

For each configuration (bench/default_config.yml and config.yml, same data and domain):
training time (from an empty Rasa cache), model load time and resident memory of the
Rasa server once it answers, dev-set accuracy, the NLU-only parse rate
(``POST /model/parse``), and end-to-end REST latency (p50/p95) and throughput at 1, 10
and 50 concurrent simulated customers, with the action server and the demo data in the
loop (ops/loadgen.py). A third column, bench/floor_config.yml, runs the same
conversations as intents with no NLU at all: the ceiling any configuration could reach
on this machine. Prints a side-by-side table and writes bench/results.md and
bench/results.json.

A trained model is reused while its inputs are unchanged (its training time is the one
measured when it was trained); ``--retrain`` trains both again.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import platform
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from ops.launch import Stack, prepare_databases
from ops.loadgen import run_load
from ops.model import rasa_env, training_inputs
from ops.nlu_eval import DEV_SET, evaluate_dev_set, read_dev_set
from payhelp.settings import PROJECT_ROOT, Settings

BENCH = PROJECT_ROOT / "bench"
WORK = BENCH / "work"
CONCURRENCY = (1, 10, 50)


@dataclass
class ConfigResult:
    name: str
    config: str
    train_s: float = 0.0
    load_s: float = 0.0
    rss_mb: float = 0.0
    in_scope_accuracy: float = 0.0
    payment_family_recall: float = 0.0
    false_trigger_rate: float = 0.0
    parse_rate: float = 0.0
    load: dict[int, dict[str, float]] = field(default_factory=dict)


def _fingerprint(config: Path) -> str:
    digest = hashlib.sha256(config.read_bytes())
    for path in training_inputs():
        if path.name != "config.yml":
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def train(name: str, config: Path, retrain: bool) -> tuple[Path, float]:
    """A model for ``config`` and the seconds its training took (from an empty cache)."""
    WORK.mkdir(parents=True, exist_ok=True)
    model = WORK / f"{name}.tar.gz"
    stamp = WORK / f"{name}.json"
    fingerprint = _fingerprint(config)
    if not retrain and model.exists() and stamp.exists():
        saved = json.loads(stamp.read_text())
        if saved.get("fingerprint") == fingerprint:
            print(f"[{name}] reusing the model trained in {saved['train_s']:.0f} s", flush=True)
            return model, float(saved["train_s"])
    cache = WORK / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    print(f"[{name}] training ({config.relative_to(PROJECT_ROOT)}) ...", flush=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "rasa", "train", "--config", str(config), "--domain", "domain.yml",
         "--data", "data", "--out", str(WORK), "--fixed-model-name", name],
        cwd=PROJECT_ROOT, env={**rasa_env(), "RASA_CACHE_DIRECTORY": str(cache)}, check=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    shutil.rmtree(cache, ignore_errors=True)
    stamp.write_text(json.dumps({"fingerprint": fingerprint, "train_s": seconds}))
    return model, seconds


def resident_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def parse_rate(
    base_url: str, texts: list[str], token: str, concurrency: int = 10, seconds: float = 10
) -> float:
    """Messages per second through POST /model/parse (NLU only), bounded concurrency.

    ``token`` is Rasa's API token (the HTTP API refuses calls without it).
    """
    done = 0
    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:

        async def worker(offset: int) -> None:
            nonlocal done
            n = offset
            while time.monotonic() < deadline:
                async with http.post(
                    f"{base_url}/model/parse",
                    json={"text": texts[n % len(texts)]},
                    params={"token": token},
                ) as r:
                    r.raise_for_status()  # a refused call must not count as a parse
                    await r.read()
                done += 1
                n += concurrency

        started = time.monotonic()
        await asyncio.gather(*[worker(i) for i in range(concurrency)])
        return done / (time.monotonic() - started)


def measure(
    name: str, config: Path, retrain: bool, seconds: float, port_base: int, floor: bool = False
) -> ConfigResult:
    """All figures for one configuration; ``floor`` sends intents, skipping the NLU."""
    result = ConfigResult(name, str(config.relative_to(PROJECT_ROOT)))
    model, result.train_s = train(name, config, retrain)
    if not floor:
        dev, _ = evaluate_dev_set(model)
        result.in_scope_accuracy = dev.in_scope_accuracy
        result.payment_family_recall = dev.payment_family_recall
        result.false_trigger_rate = dev.false_trigger_rate
    root = WORK / f"run-{name}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    settings = Settings(
        database_url=f"sqlite:///{root / 'payhelp.db'}",
        tracker_store_url=f"sqlite:///{root / 'tracker.db'}",
        rasa_port=port_base,
        action_port=port_base + 1,
    )
    prepare_databases(settings)
    stack = Stack(settings, model, root / "logs", with_desk=False)
    started = time.perf_counter()
    with stack:
        result.load_s = time.perf_counter() - started
        rasa = stack.processes[1].popen
        assert rasa is not None
        result.rss_mb = resident_mb(rasa.pid)
        if not floor:
            texts, _ = read_dev_set(DEV_SET)
            result.parse_rate = asyncio.run(
                parse_rate(stack.rasa_url, texts, stack.settings.rasa_token)
            )
        for concurrency in CONCURRENCY:
            print(
                f"[{name}] {concurrency} concurrent customers for {seconds:.0f} s ...", flush=True
            )
            run = asyncio.run(run_load(stack.rasa_url, concurrency, seconds, payloads=floor))
            result.load[concurrency] = {
                "throughput": run.throughput,
                "p50_ms": run.percentile(50),
                "p95_ms": run.percentile(95),
                "messages": len(run.latencies_ms),
                "errors": run.errors,
                "diagnosed": run.diagnosed / run.conversations if run.conversations else 0.0,
            }
    return result


def table(default: ConfigResult, ours: ConfigResult, floor: ConfigResult) -> str:
    def row(label: str, fmt: str, a: Any, b: Any, c: Any = "n/a", ratio: bool = False) -> str:
        extra = f" ({b / a:.1f}×)" if ratio and a else ""
        third = c if isinstance(c, str) else fmt.format(c)
        return f"| {label} | {fmt.format(a)} | {fmt.format(b)}{extra} | {third} |"

    lines = [
        f"| figure | Rasa default (`{default.config}`) | project (`{ours.config}`) "
        f"| floor: no NLU (`{floor.config}`) |",
        "|---|---|---|---|",
        row(
            "training time, empty cache (s)", "{:.0f}", default.train_s, ours.train_s, floor.train_s
        ),
        row(
            "model load until the server answers (s)",
            "{:.1f}",
            default.load_s,
            ours.load_s,
            floor.load_s,
        ),
        row(
            "Rasa server resident memory after load (MB)",
            "{:.0f}",
            default.rss_mb,
            ours.rss_mb,
            floor.rss_mb,
        ),
        row(
            "dev set: exact in-scope accuracy",
            "{:.3f}",
            default.in_scope_accuracy,
            ours.in_scope_accuracy,
        ),
        row(
            "dev set: payment-family recall",
            "{:.3f}",
            default.payment_family_recall,
            ours.payment_family_recall,
        ),
        row(
            "dev set: false-trigger rate",
            "{:.4f}",
            default.false_trigger_rate,
            ours.false_trigger_rate,
        ),
        row(
            "NLU only: /model/parse rate, 10 concurrent (msg/s)",
            "{:.0f}",
            default.parse_rate,
            ours.parse_rate,
            ratio=True,
        ),
    ]
    for c in CONCURRENCY:
        d, o, f = default.load[c], ours.load[c], floor.load[c]
        lines.append(row(f"end to end, {c} concurrent: throughput (msg/s)", "{:.1f}",
                         d["throughput"], o["throughput"], f["throughput"], ratio=True))  # fmt: skip
        lines.append(row(f"end to end, {c} concurrent: p50 / p95 (ms)", "{}",
                         f"{d['p50_ms']:.0f} / {d['p95_ms']:.0f}", f"{o['p50_ms']:.0f} / {o['p95_ms']:.0f}",
                         f"{f['p50_ms']:.0f} / {f['p95_ms']:.0f}"))  # fmt: skip
        lines.append(row(f"end to end, {c} concurrent: conversations diagnosed, errors", "{}",
                         f"{d['diagnosed']:.0%}, {d['errors']}", f"{o['diagnosed']:.0%}, {o['errors']}",
                         f"{f['diagnosed']:.0%}, {f['errors']}"))  # fmt: skip
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--retrain", action="store_true")
    parser.add_argument("--seconds", type=float, default=20, help="per concurrency level")
    args = parser.parse_args()
    default = measure("default", BENCH / "default_config.yml", args.retrain, args.seconds, 15005)
    ours = measure("project", PROJECT_ROOT / "config.yml", args.retrain, args.seconds, 15105)
    floor = measure(
        "floor", BENCH / "floor_config.yml", args.retrain, args.seconds, 15205, floor=True
    )
    machine = f"{platform.processor() or platform.machine()}, {subprocess.getoutput('nproc')} cores"
    report = (
        "# Benchmark: project configuration vs Rasa 3.6 default\n\n"
        f"Measured by `make bench` on {time.strftime('%Y-%m-%d %H:%M %Z')} ({machine}); "
        f"{args.seconds:.0f} s per concurrency level; customers send scripted conversations "
        "(report a failed payment, order id, email, two remedy answers) with no think time, "
        "on loopback, with the action server and SQLite demo data in the loop.\n\n"
        f"{table(default, ours, floor)}\n\n"
        "The floor column sends the same conversations as intents, so no NLU runs at all: "
        "it bounds what any NLU pipeline or policy choice can reach here, since Rasa's "
        "per-message work, the SQL tracker store, the action server and the load generator "
        "share the machine's cores.\n"
    )
    (BENCH / "results.md").write_text(report, encoding="utf-8")
    (BENCH / "results.json").write_text(
        json.dumps(
            {"default": default.__dict__, "project": ours.__dict__, "floor": floor.__dict__},
            indent=2,
            default=str,
        )
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
