"""The NLU figures the product is judged by, from (gold intent, predicted intent) pairs.

- exact accuracy on in-scope rows (gold intent is not ``out_of_scope``);
- payment-family recall: rows whose gold intent is in the payment family, predicted as
  any payment-family intent (the bot then asks for the order either way);
- false-trigger rate: ``out_of_scope`` rows predicted as a payment-family intent;
- per-intent precision, recall and F1, and the most frequent confusions.

A prediction of ``nlu_fallback`` counts as right for an ``out_of_scope`` row.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

OUT_OF_SCOPE = "out_of_scope"
FALLBACK = "nlu_fallback"
PAYMENT_FAMILY = frozenset(
    {"payment_failed", "duplicate_charge", "payment_pending", "refund_status", "charged_but_unpaid"}
)


@dataclass(frozen=True)
class IntentScore:
    intent: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Confusion:
    gold: str
    predicted: str
    count: int
    examples: tuple[str, ...] = ()


@dataclass
class NluReport:
    rows: int
    in_scope_rows: int
    in_scope_accuracy: float
    payment_family_rows: int
    payment_family_recall: float
    out_of_scope_rows: int
    false_trigger_rate: float
    out_of_scope_accuracy: float
    intents: list[IntentScore] = field(default_factory=list)
    confusions: list[Confusion] = field(default_factory=list)

    def as_json(self) -> dict:
        return asdict(self)


def _judged(gold: str, predicted: str) -> str:
    """The prediction as scored: fallback is the right answer to an out-of-scope row."""
    return OUT_OF_SCOPE if gold == OUT_OF_SCOPE and predicted == FALLBACK else predicted


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def score(
    gold: Sequence[str],
    predicted: Sequence[str],
    texts: Sequence[str] | None = None,
    worst: int = 10,
) -> NluReport:
    """Score predictions against gold intents (same order, same length)."""
    if len(gold) != len(predicted):
        raise ValueError("gold and predicted differ in length")
    texts = texts or [""] * len(gold)
    judged = [_judged(g, p) for g, p in zip(gold, predicted, strict=False)]
    in_scope = [(g, p) for g, p in zip(gold, judged, strict=False) if g != OUT_OF_SCOPE]
    family = [(g, p) for g, p in in_scope if g in PAYMENT_FAMILY]
    oos = [p for g, p in zip(gold, judged, strict=False) if g == OUT_OF_SCOPE]
    return NluReport(
        rows=len(gold),
        in_scope_rows=len(in_scope),
        in_scope_accuracy=_ratio(sum(g == p for g, p in in_scope), len(in_scope)),
        payment_family_rows=len(family),
        payment_family_recall=_ratio(sum(p in PAYMENT_FAMILY for _, p in family), len(family)),
        out_of_scope_rows=len(oos),
        false_trigger_rate=_ratio(sum(p in PAYMENT_FAMILY for p in oos), len(oos)),
        out_of_scope_accuracy=_ratio(sum(p == OUT_OF_SCOPE for p in oos), len(oos)),
        intents=_per_intent(gold, judged),
        confusions=_confusions(gold, judged, texts, worst),
    )


def _per_intent(gold: Sequence[str], judged: Sequence[str]) -> list[IntentScore]:
    scores = []
    for intent in sorted(set(gold) | (set(judged) - {FALLBACK})):
        true_positive = sum(g == intent and p == intent for g, p in zip(gold, judged, strict=False))
        predicted = sum(p == intent for p in judged)
        support = sum(g == intent for g in gold)
        precision = _ratio(true_positive, predicted)
        recall = _ratio(true_positive, support)
        f1 = _ratio(2 * precision * recall, precision + recall) if precision + recall else 0.0
        scores.append(IntentScore(intent, precision, recall, f1, support))
    return scores


def _confusions(
    gold: Sequence[str], judged: Sequence[str], texts: Sequence[str], worst: int
) -> list[Confusion]:
    counts = Counter((g, p) for g, p in zip(gold, judged, strict=False) if g != p)
    found = []
    for (g, p), count in counts.most_common(worst):
        examples = tuple(
            t for t, gg, pp in zip(texts, gold, judged, strict=False) if (gg, pp) == (g, p)
        )[:3]
        found.append(Confusion(g, p, count, examples))
    return found


def markdown(report: NluReport, title: str) -> str:
    """The report as a Markdown section."""
    lines = [
        f"## {title}",
        "",
        "| figure | value | rows |",
        "|---|---|---|",
        f"| exact accuracy, in-scope rows | {report.in_scope_accuracy:.3f} | {report.in_scope_rows} |",
        f"| payment-family recall | {report.payment_family_recall:.3f} | {report.payment_family_rows} |",
        f"| false-trigger rate (out-of-scope → payment family) | {report.false_trigger_rate:.4f} | {report.out_of_scope_rows} |",
        f"| out-of-scope rows rejected (out_of_scope or nlu_fallback) | {report.out_of_scope_accuracy:.3f} | {report.out_of_scope_rows} |",
        "",
        "| intent | precision | recall | F1 | support |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {s.intent} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | {s.support} |"
        for s in report.intents
    ]
    lines += ["", "Worst confusions (gold → predicted):", ""]
    lines += [
        f"- {c.gold} → {c.predicted}: {c.count}"
        + (f' (e.g. "{c.examples[0]}")' if c.examples and c.examples[0] else "")
        for c in report.confusions
    ]
    return "\n".join(lines) + "\n"
