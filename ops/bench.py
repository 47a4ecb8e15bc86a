"""``make bench``: the project's configuration against Rasa 3.6's default, on this machine.

For each configuration (bench/default_config.yml and config.yml, same data and domain):
training time (from an empty Rasa cache), model load time and resident memory of the
Rasa server (after load and at its peak), dev-set accuracy in each language, the
NLU-only parse rate (``POST /model/parse``) on each language's dev set, and end-to-end
REST latency (p50/p95) and throughput at 1, 10 and 50 concurrent simulated customers
writing English and, separately, Chinese, with the action server and the demo data in
the loop (ops/loadgen.py). A third column, bench/floor_config.yml, runs the same
conversations as button payloads with no NLU at all: the ceiling any configuration could
reach on this machine. Writes bench/results.md (keeping its hand-written notes below the
``NOTES_MARKER`` line) and bench/results.json.

A trained model is reused while its inputs are unchanged (its training time is the one
measured when it was trained); ``--retrain`` trains again. ``--configs project,floor``
measures only those; the others' figures are kept from bench/results.json when they were
measured on the same inputs, and shown as not measured otherwise.
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
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from ops.launch import Stack, prepare_databases
from ops.loadgen import LANGUAGES, run_load
from ops.model import rasa_env, training_inputs
from ops.nlu_eval import DEV_SETS, LANGUAGE_NAMES, evaluate_dev_set, read_dev_set
from payhelp.settings import PROJECT_ROOT, Settings

BENCH = PROJECT_ROOT / "bench"
WORK = BENCH / "work"
RESULTS_JSON = BENCH / "results.json"
RESULTS_MD = BENCH / "results.md"
NOTES_MARKER = "<!-- notes: written by hand, kept by make bench -->"
CONCURRENCY = (1, 10, 50)
CONFIGS = {  # name: (config file, port base, sends payloads instead of text)
    "default": (BENCH / "default_config.yml", 15005, False),
    "project": (PROJECT_ROOT / "config.yml", 15105, False),
    "floor": (BENCH / "floor_config.yml", 15205, True),
}


@dataclass
class ConfigResult:
    name: str
    config: str
    fingerprint: str = ""
    measured_at: str = ""
    train_s: float = 0.0
    load_s: float = 0.0
    rss_mb: float = 0.0
    peak_rss_mb: float = 0.0
    dev: dict[str, dict[str, float]] = field(default_factory=dict)
    parse_rate: dict[str, float] = field(default_factory=dict)
    # language -> concurrency (as text, for JSON) -> figures
    load: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)


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


def memory_mb(pid: int, field_name: str = "VmRSS") -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (resident at the peak) of a process, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field_name + ":"):
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


def measure(name: str, retrain: bool, seconds: float) -> ConfigResult:
    """All figures for one configuration."""
    config, port_base, payloads = CONFIGS[name]
    result = ConfigResult(name, str(config.relative_to(PROJECT_ROOT)), _fingerprint(config))
    result.measured_at = time.strftime("%Y-%m-%d %H:%M %Z")
    model, result.train_s = train(name, config, retrain)
    if not payloads:
        for language, dev_set in DEV_SETS.items():
            dev, _ = evaluate_dev_set(model, dev_set.path)
            result.dev[language] = {
                "in_scope_accuracy": dev.in_scope_accuracy,
                "payment_family_recall": dev.payment_family_recall,
                "false_trigger_rate": dev.false_trigger_rate,
            }
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
        result.rss_mb = memory_mb(rasa.pid)
        for language in LANGUAGES:
            if not payloads:
                texts, _ = read_dev_set(DEV_SETS[language].path)
                result.parse_rate[language] = asyncio.run(
                    parse_rate(stack.rasa_url, texts, stack.settings.rasa_token)
                )
            result.load[language] = {}
            for concurrency in CONCURRENCY:
                print(f"[{name}] {LANGUAGE_NAMES[language]}: {concurrency} concurrent "
                      f"customers for {seconds:.0f} s ...", flush=True)  # fmt: skip
                run = asyncio.run(
                    run_load(stack.rasa_url, concurrency, seconds, payloads=payloads,
                             language=language)
                )  # fmt: skip
                result.load[language][str(concurrency)] = {
                    "throughput": run.throughput,
                    "p50_ms": run.percentile(50),
                    "p95_ms": run.percentile(95),
                    "messages": len(run.latencies_ms),
                    "errors": run.errors,
                    "diagnosed": run.diagnosed / run.conversations if run.conversations else 0.0,
                }
        result.peak_rss_mb = memory_mb(rasa.pid, "VmHWM")
    return result


def previous_results() -> dict[str, ConfigResult]:
    if not RESULTS_JSON.exists():
        return {}
    saved = json.loads(RESULTS_JSON.read_text())
    kept = {}
    for name, data in saved.items():
        try:
            kept[name] = ConfigResult(**data)
        except TypeError:  # written by an older version of this script
            continue
    return kept


def table(results: dict[str, ConfigResult]) -> str:
    columns = [results.get(name) for name in CONFIGS]

    def cell(r: ConfigResult | None, fmt: str, get: Any) -> str:
        if r is None:
            return "not measured"
        try:
            return fmt.format(get(r))
        except (KeyError, TypeError):
            return "n/a"

    def row(label: str, fmt: str, get: Any) -> str:
        return f"| {label} | " + " | ".join(cell(r, fmt, get) for r in columns) + " |"

    header = " | ".join(
        f"{label} (`{CONFIGS[name][0].relative_to(PROJECT_ROOT)}`)"
        for name, label in zip(CONFIGS, ("Rasa default", "project", "floor: no NLU"), strict=True)
    )
    lines = [f"| figure | {header} |", "|---|---|---|---|"]
    lines.append(row("training time, empty cache (s)", "{:.0f}", lambda r: r.train_s))
    lines.append(row("model load until the server answers (s)", "{:.1f}", lambda r: r.load_s))
    lines.append(row("Rasa server resident memory after load (MB)", "{:.0f}", lambda r: r.rss_mb))
    lines.append(row("Rasa server peak resident memory (MB)", "{:.0f}", lambda r: r.peak_rss_mb))
    for language in LANGUAGES:
        name = LANGUAGE_NAMES[language]
        for key, label, fmt in (
            ("in_scope_accuracy", "exact in-scope accuracy", "{:.3f}"),
            ("payment_family_recall", "payment-family recall", "{:.3f}"),
            ("false_trigger_rate", "false-trigger rate", "{:.4f}"),
        ):
            lines.append(
                row(f"{name} dev set: {label}", fmt, lambda r, k=key, lang=language: r.dev[lang][k])
            )
        lines.append(
            row(f"{name}: /model/parse rate, 10 concurrent (msg/s)", "{:.0f}",
                lambda r, lang=language: r.parse_rate[lang])
        )  # fmt: skip
        for c in CONCURRENCY:
            figures = lambda r, lang=language, c=c: r.load[lang][str(c)]  # noqa: E731
            lines.append(row(f"{name}, {c} concurrent: throughput (msg/s)", "{:.1f}",
                             lambda r, f=figures: f(r)["throughput"]))  # fmt: skip
            lines.append(row(f"{name}, {c} concurrent: p50 / p95 (ms)", "{}",
                             lambda r, f=figures: f"{f(r)['p50_ms']:.0f} / {f(r)['p95_ms']:.0f}"))  # fmt: skip
            lines.append(row(f"{name}, {c} concurrent: conversations diagnosed, errors", "{}",
                             lambda r, f=figures: f"{f(r)['diagnosed']:.0%}, {f(r)['errors']}"))  # fmt: skip
    return "\n".join(lines)


def floor_ratios(results: dict[str, ConfigResult]) -> str:
    """Project throughput as a share of the floor's, per language and concurrency."""
    project, floor = results.get("project"), results.get("floor")
    if project is None or floor is None:
        return ""
    lines = ["| language | " + " | ".join(f"{c} concurrent" for c in CONCURRENCY) + " |"]
    lines.append("|---|" + "---|" * len(CONCURRENCY))
    for language in LANGUAGES:
        cells = []
        for c in CONCURRENCY:
            try:
                p = project.load[language][str(c)]["throughput"]
                f = floor.load[language][str(c)]["throughput"]
                cells.append(f"{p / f:.2f}×")
            except (KeyError, ZeroDivisionError):
                cells.append("n/a")
        lines.append(f"| {LANGUAGE_NAMES[language]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--retrain", action="store_true")
    parser.add_argument("--seconds", type=float, default=20, help="per concurrency level")
    parser.add_argument("--configs", default=",".join(CONFIGS), help="which to measure")
    args = parser.parse_args()
    wanted = [name.strip() for name in args.configs.split(",") if name.strip()]
    if unknown := [name for name in wanted if name not in CONFIGS]:
        print(f"unknown configuration(s): {', '.join(unknown)}; choose from {', '.join(CONFIGS)}")
        return 2
    results = {
        name: r
        for name, r in previous_results().items()
        if name in CONFIGS and r.fingerprint == _fingerprint(CONFIGS[name][0])
    }
    for name in wanted:
        results[name] = measure(name, args.retrain, args.seconds)
    machine = f"{platform.processor() or platform.machine()}, {subprocess.getoutput('nproc')} cores"
    when = ", ".join(f"{name} {r.measured_at}" for name, r in results.items())
    report = (
        "# Benchmark: project configuration vs Rasa 3.6 default\n\n"
        f"Measured by `make bench` ({machine}; {when}); {args.seconds:.0f} s per concurrency "
        "level and language; customers send scripted conversations (report a failed "
        'payment, order id, email, two answers to "did that work?") in English or '
        "Chinese with no think time, on loopback, with the action server and SQLite demo "
        "data in the loop.\n\n"
        f"{table(results)}\n\n"
        "End-to-end throughput of the project's configuration as a share of the floor's "
        "(same conversations sent as button payloads, so no NLU runs):\n\n"
        f"{floor_ratios(results)}\n\n"
        "The floor bounds what any NLU pipeline or policy choice can reach here, since "
        "Rasa's per-message work, the SQL tracker store, the action server and the load "
        "generator share the machine's cores.\n"
    )
    notes = ""
    if RESULTS_MD.exists() and NOTES_MARKER in RESULTS_MD.read_text():
        notes = RESULTS_MD.read_text().split(NOTES_MARKER, 1)[1]
    RESULTS_MD.write_text(report + "\n" + NOTES_MARKER + notes, encoding="utf-8")
    RESULTS_JSON.write_text(
        json.dumps({name: asdict(r) for name, r in results.items()}, indent=2, default=str)
    )
    print(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
