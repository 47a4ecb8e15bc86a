"""The masking report's figures, held as a gate: a regression shows up as a failing row."""

from __future__ import annotations

import random

from ops.masking_report import false_positives, recall, render


def test_every_card_format_is_caught_except_irregular_splits() -> None:
    rows = {row.name: row for row in recall(random.Random(7))}
    missed = {name: row.rate for name, row in rows.items() if row.rate < 1.0}
    assert set(missed) <= {"split over two messages, any grouping"}, missed
    assert len(rows) >= 25 and all(row.total >= 100 for row in rows.values())


def test_order_ids_phones_amounts_dates_and_times_are_never_changed() -> None:
    rows = false_positives(random.Random(7))
    changed = {r.name: r.hits for r in rows if r.hits and not r.name.startswith("weak spot")}
    assert not changed
    weak = [r for r in rows if r.name.startswith("weak spot")]
    assert weak and all(r.rate < 0.3 for r in weak)


def test_the_report_states_both_rates() -> None:
    rng = random.Random(7)
    text = render(recall(rng), false_positives(rng))
    assert "**Recall: " in text and "**False-positive rate: " in text
