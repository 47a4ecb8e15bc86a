"""The NLU on words nobody on the team wrote: the dev set's figures may not fall.

Thresholds sit just under what the current model reaches (reports/nlu-eval.md); the
product's targets are 0.90, 0.96 and 0.02. The dev set is only ever measured with.
"""

from __future__ import annotations

import pytest

from ops.model import ensure_model
from ops.nlu_eval import DEV_SET, evaluate_dev_set

pytestmark = pytest.mark.slow

IN_SCOPE_ACCURACY = 0.925
PAYMENT_FAMILY_RECALL = 0.965
FALSE_TRIGGER_RATE = 0.010


@pytest.fixture(scope="module")
def dev_report():
    if not DEV_SET.exists():
        pytest.fail(f"no dev set at {DEV_SET}: the NLU gate cannot run; point NLU_DEV_SET at it")
    report, _ = evaluate_dev_set(ensure_model())
    return report


def test_in_scope_accuracy(dev_report) -> None:
    assert dev_report.in_scope_accuracy >= IN_SCOPE_ACCURACY


def test_payment_family_recall(dev_report) -> None:
    assert dev_report.payment_family_recall >= PAYMENT_FAMILY_RECALL


def test_false_trigger_rate(dev_report) -> None:
    assert dev_report.false_trigger_rate <= FALSE_TRIGGER_RATE
