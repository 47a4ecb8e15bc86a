"""``make eval``: how well the NLU understands words nobody on the team wrote.

1. Cross-validation on the training data (``rasa test nlu --cross-validation``).
2. The dev set ``../shared/eval/dev_external.tsv`` parsed by the trained model:
   exact in-scope accuracy, payment-family recall, false-trigger rate, per-intent
   precision/recall/F1 and the worst confusions (see payhelp/nlu/metrics.py).

Writes ``reports/nlu-eval.md`` and ``reports/nlu-eval.json`` and prints the summary.
The dev set is only read here and in the test that gates on these figures; it is never
training data.
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
from pathlib import Path

from ops.model import ensure_model, rasa_env
from payhelp.nlu.metrics import NluReport, markdown, score
from payhelp.settings import PROJECT_ROOT, VAR_DIR


def find_dev_set() -> Path:
    """NLU_DEV_SET if set, else ../shared/eval/ beside the checkout, else /work/shared/eval/."""
    if os.environ.get("NLU_DEV_SET"):
        return Path(os.environ["NLU_DEV_SET"])
    candidates = [
        PROJECT_ROOT.parent / "shared" / "eval" / "dev_external.tsv",
        Path("/work/shared/eval/dev_external.tsv"),
    ]
    return next((path for path in candidates if path.exists()), candidates[0])


DEV_SET = find_dev_set()
REPORTS = PROJECT_ROOT / "reports"


def read_dev_set(path: Path = DEV_SET) -> tuple[list[str], list[str]]:
    """Texts and gold intents from the dev set's TSV (columns: text, intent, source)."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [r["text"] for r in rows], [r["intent"] for r in rows]


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


def evaluate_dev_set(model: Path, path: Path = DEV_SET) -> tuple[NluReport, float]:
    texts, gold = read_dev_set(path)
    predicted, rate = predict(model, texts)
    return score(gold, predicted, texts), rate


def cross_validate(config: Path, folds: int, out: Path) -> dict:
    """Rasa's cross-validation on the training data; its intent report (JSON)."""
    subprocess.run(
        [sys.executable, "-m", "rasa", "test", "nlu", "--nlu", "data/nlu", "--config", str(config),
         "--cross-validation", "--folds", str(folds), "--out", str(out), "--no-plot"],
        cwd=PROJECT_ROOT, env=rasa_env(), check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return json.loads((out / "intent_report.json").read_text())


def cv_markdown(report: dict, folds: int) -> str:
    lines = [
        f"## Cross-validation on the training data ({folds} folds)",
        "",
        f"Accuracy {report['accuracy']:.3f}, weighted F1 {report['weighted avg']['f1-score']:.3f}, "
        f"macro F1 {report['macro avg']['f1-score']:.3f}.",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    for intent, row in sorted(report.items()):
        if (
            isinstance(row, dict)
            and "support" in row
            and intent not in ("macro avg", "weighted avg", "micro avg")
        ):
            lines.append(
                f"| {intent} | {row['precision']:.3f} | {row['recall']:.3f} | "
                f"{row['f1-score']:.3f} | {row['support']} |"
            )
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-cv", action="store_true", help="only the dev set")
    args = parser.parse_args()
    if not DEV_SET.exists():
        print(f"dev set not found at {DEV_SET} (set NLU_DEV_SET)", file=sys.stderr)
        return 2
    model = ensure_model()
    dev, rate = evaluate_dev_set(model)
    sections = [
        "# NLU evaluation\n",
        f"Model: `{model.relative_to(PROJECT_ROOT)}` (config.yml). Command: `make eval`.\n",
        markdown(dev, f"Dev set: {DEV_SET.name} ({dev.rows} rows, written outside the project)"),
        f"Parse rate while scoring: {rate:.0f} messages/s (one process, in-process calls).\n",
    ]
    result: dict = {"dev_set": dev.as_json(), "dev_parse_rate_per_s": rate}
    if not args.skip_cv:
        cv = cross_validate(PROJECT_ROOT / "config.yml", args.folds, VAR_DIR / "eval" / "cv")
        sections.append(cv_markdown(cv, args.folds))
        result["cross_validation"] = {"folds": args.folds, "intent_report": cv}
    REPORTS.mkdir(exist_ok=True)
    (REPORTS / "nlu-eval.md").write_text("\n".join(sections), encoding="utf-8")
    (REPORTS / "nlu-eval.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(
        f"dev set: in-scope accuracy {dev.in_scope_accuracy:.3f}, "
        f"payment-family recall {dev.payment_family_recall:.3f}, "
        f"false-trigger rate {dev.false_trigger_rate:.4f}\n"
        f"report: {REPORTS / 'nlu-eval.md'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
