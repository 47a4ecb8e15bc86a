import pytest

from payhelp.nlu.metrics import markdown, score


def test_the_three_headline_figures() -> None:
    gold = [
        "payment_failed",
        "payment_pending",
        "duplicate_charge",
        "greet",
        "out_of_scope",
        "out_of_scope",
        "out_of_scope",
        "out_of_scope",
    ]
    pred = [
        "payment_failed",
        "payment_failed",
        "out_of_scope",
        "greet",
        "nlu_fallback",
        "out_of_scope",
        "refund_status",
        "greet",
    ]
    report = score(gold, pred)
    assert report.in_scope_rows == 4 and report.in_scope_accuracy == pytest.approx(2 / 4)
    # pending predicted as failed still counts for the family; out_of_scope does not.
    assert report.payment_family_rows == 3 and report.payment_family_recall == pytest.approx(2 / 3)
    assert report.false_trigger_rate == pytest.approx(1 / 4)
    assert report.out_of_scope_accuracy == pytest.approx(2 / 4)  # fallback counts as right


def test_fallback_is_wrong_for_an_in_scope_row() -> None:
    report = score(["payment_failed"], ["nlu_fallback"])
    assert report.in_scope_accuracy == 0 and report.payment_family_recall == 0


def test_per_intent_scores_and_confusions() -> None:
    gold = ["a", "a", "b", "b"]
    pred = ["a", "b", "b", "b"]
    report = score(gold, pred, ["t1", "t2", "t3", "t4"])
    by = {s.intent: s for s in report.intents}
    assert by["a"].precision == 1 and by["a"].recall == 0.5
    assert by["b"].precision == pytest.approx(2 / 3) and by["b"].recall == 1
    assert report.confusions[0].gold == "a" and report.confusions[0].examples == ("t2",)
    assert "| a | 1.000 | 0.500 |" in markdown(report, "x")


def test_lengths_must_match() -> None:
    with pytest.raises(ValueError):
        score(["a"], [])
