"""Measure card masking: recall on card formats, false positives on ordinary numbers.

``python -m ops.masking_report`` (``make masking-report``) prints both tables and writes
``reports/masking.md``. The strings are generated from a fixed seed, so the figures are
reproducible; each row says how many strings it measured.

* **Recall**: a card number counts as caught when none of its digits survive in the
  stored text(s) (and, for the security-code rows, when the code is masked too).
* **False positives**: an ordinary string (order id, phone, amount, date, time, ids)
  counts as a false positive when masking changes it at all.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from payhelp.core.card_data import (
    CARD_LAYOUTS,
    CVC_MASK,
    luhn_valid,
    mask_card_data,
    mask_in_context,
)
from payhelp.settings import PROJECT_ROOT

PER_FORMAT = 300
REPORT = PROJECT_ROOT / "reports" / "masking.md"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Row:
    name: str
    hits: int
    total: int

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0


# --- card numbers ---------------------------------------------------------------------


def card(rng: random.Random, length: int | None = None) -> str:
    length = length or rng.randint(13, 19)
    body = "".join(rng.choice("0123456789") for _ in range(length - 1))
    return next(body + c for c in "0123456789" if luhn_valid(body + c))


def grouped(rng: random.Random, digits: str, separator: str) -> str:
    layout = rng.choice(CARD_LAYOUTS[len(digits)])
    groups, start = [], 0
    for size in layout:
        groups.append(digits[start : start + size])
        start += size
    return separator.join(groups)


def any_grouping(rng: random.Random, digits: str, separator: str) -> str:
    cuts = sorted(rng.sample(range(1, len(digits)), rng.randint(1, 6)))
    edges = [0, *cuts, len(digits)]
    return separator.join(digits[a:b] for a, b in zip(edges, edges[1:], strict=False))


def digits_of(text: str) -> str:
    return "".join(str(int(ch)) for ch in re.findall(r"\d", text))


def stored_once(text: str) -> list[str]:
    return [mask_card_data(text).text]


def stored_split(parts: list[str]) -> list[str]:
    """The messages as the desk stores them, one after the other."""
    stored: list[str] = []
    for part in parts:
        result = mask_in_context(part, stored)
        for rewrite in result.earlier:
            stored[rewrite.index] = rewrite.text
        stored.append(result.current.text)
    return stored


def split_at_groups(text: str, separator: str, pieces: int) -> list[str]:
    groups = text.split(separator)
    pieces = min(pieces, len(groups))
    size = -(-len(groups) // pieces)
    return [separator.join(groups[i : i + size]) for i in range(0, len(groups), size)]


# Each format: (name, make(rng) -> (card digits, stored texts, cvc or None)).
Format = Callable[[random.Random], tuple[str, list[str], str | None]]


def _separator_format(separator: str, full_width: bool = False) -> Format:
    def make(rng: random.Random) -> tuple[str, list[str], str | None]:
        digits = card(rng)
        typed = grouped(rng, digits, separator)
        typed = typed.translate(_FULL_WIDTH) if full_width else typed
        return digits, stored_once(f"my card {typed} was declined"), None

    return make


def _sentence(before: str, after: str, separator: str = " ") -> Format:
    def make(rng: random.Random) -> tuple[str, list[str], str | None]:
        digits = card(rng)
        return digits, stored_once(f"{before}{grouped(rng, digits, separator)}{after}"), None

    return make


def _random_groups(rng: random.Random) -> tuple[str, list[str], str | None]:
    digits = card(rng)
    typed = any_grouping(rng, digits, rng.choice([" ", "-", ".", "  ", "\n"]))
    return digits, stored_once(f"card: {typed}"), None


def _split_mid_group(rng: random.Random) -> tuple[str, list[str], str | None]:
    digits = card(rng, 16)
    typed = grouped(rng, digits, " ")
    at = rng.choice(
        [i for i in range(1, len(typed)) if typed[i].isdigit() and typed[i - 1].isdigit()]
    )
    return digits, stored_split([typed[:at], typed[at:]]), None


def _split(pieces: int, any_groups: bool = False) -> Format:
    def make(rng: random.Random) -> tuple[str, list[str], str | None]:
        digits = card(rng, rng.choice([15, 16, 19]))
        typed = (any_grouping if any_groups else grouped)(rng, digits, " ")
        return digits, stored_split(split_at_groups(typed, " ", pieces)), None

    return make


def _with_cvc(template: str) -> Format:
    def make(rng: random.Random) -> tuple[str, list[str], str | None]:
        digits, cvc = card(rng, 16), f"{rng.randint(100, 999)}"
        text = template.format(card=grouped(rng, digits, " "), cvc=cvc)
        return digits, stored_once(text), cvc

    return make


def _cvc_only(template: str, words: bool = False, bot: str | None = None) -> Format:
    names = "zero one two three four five six seven eight nine".split()

    def make(rng: random.Random) -> tuple[str, list[str], str | None]:
        cvc = f"{rng.randint(100, 999)}"
        said = " ".join(names[int(d)] for d in cvc) if words else cvc
        text = template.format(cvc=said)
        return "", [mask_in_context(text, [], bot).current.text], said

    return make


FORMATS: list[tuple[str, Format]] = [
    ("spaces (4-4-4-4, 4-6-5, ...)", _separator_format(" ")),
    ("several spaces", _separator_format("   ")),
    ("dots", _separator_format(".")),
    ("dashes", _separator_format("-")),
    ("spaced dashes", _separator_format(" - ")),
    ("underscores", _separator_format("_")),
    ("slashes", _separator_format("/")),
    ("newlines", _separator_format("\n")),
    ("tabs", _separator_format("\t")),
    ("full-width digits", _separator_format(" ", full_width=True)),
    ("full-width digits and dashes", _separator_format("－", full_width=True)),
    ("Chinese commas", _separator_format("，")),
    ("ideographic commas", _separator_format("、")),
    ("ideographic full stops", _separator_format("。")),
    ("in one piece", _separator_format("")),
    ("English sentence", _sentence("Hi, my card is ", ", it keeps failing. Order ORD-10002")),
    ("Chinese sentence", _sentence("我的卡号是", "，付款失败了，订单ORD-10002")),
    ("any grouping", _random_groups),
    ("split over two messages", _split(2)),
    ("split over four messages", _split(4)),
    ("split over two messages inside a group", _split_mid_group),
    ("split over two messages, any grouping", _split(2, any_groups=True)),
    ("card / expiry / CVC", _with_cvc("{card} / 05/29 / {cvc}")),
    ("card exp … cvc …", _with_cvc("{card} exp 05/29 cvc {cvc}")),
    ("卡号 有效期 安全码", _with_cvc("卡号{card} 有效期05/29 安全码{cvc}")),
    ("CVC after words (digits)", _cvc_only("the 3 digits on the back are {cvc}")),
    ("CVC after words (in words)", _cvc_only("my cvv is {cvc}", words=True)),
    ("CVC after Chinese words", _cvc_only("卡背面三位数是{cvc}")),
    ("bare CVC after the bot asked", _cvc_only("{cvc}", bot="Please check the security code.")),
]


def recall(rng: random.Random) -> list[Row]:
    rows = []
    for name, make in FORMATS:
        caught = 0
        for _ in range(PER_FORMAT):
            digits, stored, cvc = make(rng)
            kept = "".join(digits_of(text) for text in stored)
            card_gone = not digits or digits not in kept
            cvc_gone = cvc is None or (cvc not in " ".join(stored) and CVC_MASK in stored[-1])
            caught += card_gone and cvc_gone
        rows.append(Row(name, caught, PER_FORMAT))
    return rows


# --- ordinary strings -------------------------------------------------------------------


def _n(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def ordinary(rng: random.Random) -> Iterator[tuple[str, str | list[str]]]:
    """(category, text or consecutive messages) that must come through unchanged."""
    for _ in range(PER_FORMAT // 3):
        order = f"ORD-{rng.randint(10000, 99999999)}"
        yield "order ids", order
        yield "order ids", f"my order is {order}, the other one ORD-{rng.randint(10000, 99999)}"
        yield "order ids", f"订单{order}付款失败"
        mobile = f"1{rng.choice('3456789')}{_n(rng, 9)}"
        yield "phone numbers", mobile
        yield "phone numbers", f"+86 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"
        yield "phone numbers", f"+1 555 01{_n(rng, 2)}"
        yield "phone numbers", f"+44 20 7946 {_n(rng, 4)}"
        yield "phone numbers", f"({_n(rng, 3)}) {_n(rng, 3)}-{_n(rng, 4)}"
        yield "phone numbers", f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
        amount = f"{rng.randint(1, 9999)}.{_n(rng, 2)}"
        yield "amounts", amount
        yield "amounts", f"{rng.randint(1, 9)},{_n(rng, 3)}.{_n(rng, 2)}"
        yield "amounts", f"charged {amount} twice: {amount} and {amount}"
        yield "amounts", f"扣了¥{amount}，订单金额{rng.randint(1, 999)}.00元"
        y, m, d = rng.randint(2020, 2030), rng.randint(1, 12), rng.randint(1, 28)
        hh, mm, ss = rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59)
        yield "dates and times", f"{y}-{m:02d}-{d:02d} {hh:02d}:{mm:02d}:{ss:02d}"
        yield "dates and times", f"{d:02d}/{m:02d}/{y} - {d:02d}/{m:02d}/{y + 1}"
        yield "dates and times", f"{y}年{m}月{d}日 {hh}:{mm:02d}"
        yield "dates and times", f"paid at {hh:02d}:{mm:02d} on {y}-{m:02d}-{d:02d}"
        yield "transaction ids", f"transaction {_n(rng, 28)}"
        yield "transaction ids", f"ref {_n(rng, 10)}"
        yield "mixed", f"ORD-{_n(rng, 5)} paid {amount} at {hh:02d}:{mm:02d}, call +86 {mobile}"
        yield "consecutive messages", [f"ORD-{_n(rng, 5)}", mobile]
        yield "consecutive messages", [amount, f"{y}-{m:02d}-{d:02d}"]
        yield "consecutive messages", [f"+86 {mobile[:3]} {mobile[3:7]}", mobile[7:]]
        yield "consecutive messages", [_n(rng, 5), f"{mobile[:3]} {mobile[3:7]} {mobile[7:]}"]
        yield (
            "after the bot mentioned the CVC",
            ["where is the security code?", f"ORD-{_n(rng, 5)}"],
        )
        yield "after the bot mentioned the CVC", ["where is the security code?", amount]
        # Known weak spots: 13-19 digits in groups joined by one kind of separator.
        yield "weak spot: 0086 phone numbers", f"0086 {mobile[:3]} {mobile[3:7]} {mobile[7:]}"
        yield "weak spot: lists of bare numbers", f"{_n(rng, 5)}, {_n(rng, 5)}, {_n(rng, 5)}"


def false_positives(rng: random.Random) -> list[Row]:
    counts: dict[str, list[int]] = {}
    for category, sample in ordinary(rng):
        if isinstance(sample, str):
            changed = mask_card_data(sample).text != sample
        elif category.startswith("after the bot"):
            changed = mask_in_context(sample[1], [], sample[0]).current.text != sample[1]
        else:
            changed = stored_split(sample) != sample
        hits = counts.setdefault(category, [0, 0])
        hits[0] += changed
        hits[1] += 1
    return [Row(name, hits, total) for name, (hits, total) in counts.items()]


# --- the report -------------------------------------------------------------------------


def render(recalled: list[Row], wrong: list[Row]) -> str:
    caught, cards = sum(r.hits for r in recalled), sum(r.total for r in recalled)
    changed, strings = sum(r.hits for r in wrong), sum(r.total for r in wrong)
    lines = [
        "# Card masking: recall and false positives",
        "",
        "Written by `make masking-report` (`python -m ops.masking_report`): strings generated",
        f"from a fixed seed, {PER_FORMAT} card numbers per format (13-19 digits, Luhn-valid).",
        "",
        f"- **Recall: {caught}/{cards} = {caught / cards:.4f}** (no digit sequence of the card"
        " left in the stored text; for CVC rows, the code masked too)",
        f"- **False-positive rate: {changed}/{strings} = {changed / strings:.4f}** (ordinary"
        " strings that masking changed)",
        "",
        "| card format | caught | recall |",
        "|---|---:|---:|",
        *(f"| {r.name} | {r.hits}/{r.total} | {r.rate:.4f} |" for r in recalled),
        "",
        "| ordinary strings | changed | false-positive rate |",
        "|---|---:|---:|",
        *(f"| {r.name} | {r.hits}/{r.total} | {r.rate:.4f} |" for r in wrong),
        "",
        "A false positive needs 13-19 digits in groups joined by one kind of separator that",
        "happen to pass the Luhn check (1 in 10 for any such run): the two weak-spot rows",
        "measure the likeliest ones. Across messages a number is only joined when the groups",
        "are in a card layout or of equal size, so an order number and then a phone number",
        "stay apart; the price is the low recall for cards split over messages in irregular",
        "groups. Not measured here: the desk, REST channel and tracker store all call the",
        "same function (`payhelp.core.card_data.mask_in_context`), tested on each path.",
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    rng = random.Random(20261126)
    text = render(recall(rng), false_positives(rng))
    Path(REPORT).write_text(text, encoding="utf-8")
    print(text)
    print(f"written to {REPORT.relative_to(PROJECT_ROOT)}")


if __name__ == "__main__":
    main()
