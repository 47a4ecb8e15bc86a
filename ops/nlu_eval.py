"""``make eval``: how well the NLU understands words nobody on the team wrote, per language.

1. Cross-validation on the training data (``rasa test nlu --cross-validation``), its
   predictions split into English and Chinese examples.
2. The dev sets parsed by the trained model: ``../shared/eval/dev_external.tsv``
   (English) and ``../shared/eval/dev_zh.tsv`` (Chinese): exact in-scope accuracy,
   payment-family recall, false-trigger rate, per-intent precision/recall/F1 and the worst
   confusions (see payhelp/nlu/metrics.py).

Writes ``reports/nlu-eval.md`` and ``reports/nlu-eval.json`` and prints the summary.
The dev sets are only read here, in the benchmark and in the test that gates on these
figures; they are never training data.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ops.model import ensure_model, rasa_env
from payhelp.nlu.language import CHINESE, ENGLISH, has_han
from payhelp.nlu.metrics import NluReport, markdown, score
from payhelp.settings import PROJECT_ROOT, VAR_DIR


@dataclass(frozen=True)
class DevSet:
    language: str
    file_name: str
    description: str
    env_var: str

    @property
    def path(self) -> Path:
        """``$env_var`` if set, else ../shared/eval/ beside the checkout, else /work/shared/eval/."""
        if os.environ.get(self.env_var):
            return Path(os.environ[self.env_var])
        candidates = [
            PROJECT_ROOT.parent / "shared" / "eval" / self.file_name,
            Path("/work/shared/eval") / self.file_name,
        ]
        return next((path for path in candidates if path.exists()), candidates[0])


DEV_SETS = {
    ENGLISH: DevSet(ENGLISH, "dev_external.tsv", "English, written outside the project", "NLU_DEV_SET"),
    CHINESE: DevSet(CHINESE, "dev_zh.tsv", "Chinese, real customer-service questions", "NLU_DEV_SET_ZH"),
}  # fmt: skip
LANGUAGE_NAMES = {ENGLISH: "English", CHINESE: "Chinese"}
REPORTS = PROJECT_ROOT / "reports"


def read_dev_set(path: Path) -> tuple[list[str], list[str]]:
    """Texts and gold intents from a dev set's TSV (columns: text, intent[, source])."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["intent"] for r in rows]


def missing_dev_sets() -> list[str]:
    """A line for each dev set that cannot be found."""
    return [
        f"{d.language} dev set not found at {d.path} (set {d.env_var})"
        for d in DEV_SETS.values()
        if not d.path.exists()
    ]


def predict(model: Path, texts: list[str]) -> tuple[list[str], float]:
    """The model's intent for each text, and the parse rate (messages per second)."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)  # not one debug line per parsed message
    agent = Agent.load(str(model))

    async def parse_all() -> list[str]:
        return [(await agent.parse_message(t))["intent"]["name"] for t in texts]

    started = time.perf_counter()
    intents = asyncio.run(parse_all())
    return intents, len(texts) / (time.perf_counter() - started)


def evaluate_dev_set(model: Path, path: Path) -> tuple[NluReport, float]:
    texts, gold = read_dev_set(path)
    predicted, rate = predict(model, texts)
    return score(gold, predicted, texts), rate


def cross_validate(config: Path, folds: int, out: Path) -> dict[str, NluReport]:
    """Rasa's cross-validation on the training data, scored separately per language."""
    subprocess.run(
        [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data/nlu", "--config", str(config),
         "--cross-validation", "--folds", str(folds), "--out", str(out), "--no-plot",
         "--successes"],
        cwd=PROJECT_ROOT, env=rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    rows = []
    for name in ("intent_successes.json", "intent_errors.json"):
        if (out / name).exists():
            rows += json.loads((out / name).read_text(encoding="utf-8"))
    reports = {}
    for language in DEV_SETS:
        mine = [r for r in rows if (CHINESE if has_han(r["text"]) else ENGLISH) == language]
        reports[language] = score(
            [r["intent"] for r in mine],
            [r["intent_prediction"]["name"] or "nlu_fallback" for r in mine],
            [r["text"] for r in mine],
        )
    return reports


def summary_table(dev: dict[str, NluReport], cv: dict[str, NluReport]) -> str:
    lines = [
        "| language | data | rows | exact in-scope | payment-family recall | false triggers |",
        "|---|---|---|---|---|---|",
    ]
    for language, report in dev.items():
        sources = [(DEV_SETS[language].file_name, report)]
        if language in cv:
            sources.append(("cross-validation", cv[language]))
        for source, r in sources:
            lines.append(
                f"| {LANGUAGE_NAMES[language]} | {source} | {r.rows} | {r.in_scope_accuracy:.3f} "
                f"| {r.payment_family_recall:.3f} | {r.false_trigger_rate:.4f} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true", help="only the dev sets")
    args = parser.parse_args()
    if missing := missing_dev_sets():
        print("\n".join(missing), file=sys.stderr)
        return 2
    model = ensure_model()
    dev: dict[str, NluReport] = {}
    rates: dict[str, float] = {}
    for language, dev_set in DEV_SETS.items():
        dev[language], rates[language] = evaluate_dev_set(model, dev_set.path)
    cv = {} if args.skip_cv else cross_validate(
        PROJECT_ROOT / "config.yml", args.folds, VAR_DIR / "eval" / "cv"
    )  # fmt: skip
    sections = [
        "# NLU evaluation\n",
        f"Model: `{model.relative_to(PROJECT_ROOT)}` (config.yml). Command: `make eval`. "
        "A prediction of `nlu_fallback` counts as right for an out-of-scope row.\n",
        summary_table(dev, cv),
    ]
    for language, dev_set in DEV_SETS.items():
        name = LANGUAGE_NAMES[language]
        sections.append(
            markdown(dev[language], f"{name} dev set: {dev_set.file_name} "
                     f"({dev[language].rows} rows, {dev_set.description})")
        )  # fmt: skip
        sections.append(
            f"Parse rate while scoring: {rates[language]:.0f} messages/s "
            "(one process, in-process calls).\n"
        )
        if language in cv:
            sections.append(
                markdown(cv[language], f"{name} cross-validation on the training data "
                         f"({args.folds} folds, {cv[language].rows} examples)")
            )  # fmt: skip
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "nlu-eval.md").write_text("\n".join(sections), encoding="utf-8")
    result = {
        language: {
            "dev_set": dev_set.file_name,
            "dev": dev[language].as_json(),
            "dev_parse_rate_per_s": rates[language],
            **({"cross_validation": cv[language].as_json(), "folds": args.folds} if cv else {}),
        }
        for language, dev_set in DEV_SETS.items()
    }
    (REPORTS / "nlu-eval.json").write_text(
        json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    print(summary_table(dev, cv) + f"report: {REPORTS / 'nlu-eval.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
