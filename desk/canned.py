"""Canned replies for staff: the remedies planned for the diagnosed cause, worded as the
bot words them (domain.yml), plus replies for what only staff can settle; all in the
customer's language."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from desk import messages
from payhelp.contracts import Language
from payhelp.core.remedies import plan_remedies
from payhelp.lookup import OrderFindings
from payhelp.messages import duration, list_methods, pick_variation


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def canned_replies(
    findings: OrderFindings | None,
    responses: Mapping[str, Any],
    shop_methods: Sequence[str],
    language: Language = Language.EN,
) -> list[dict[str, str]]:
    """Titles for staff (English), texts in ``language``, the customer's."""
    replies: list[tuple[str, str]] = []
    if findings is not None:
        diagnosis = findings.diagnosis
        # Staff may suggest the bot's remedies even where the bot handed over; never a
        # payment method that is down right now.
        offered = findings.channels.usable(shop_methods)
        plan = plan_remedies(replace(diagnosis, persisting=False), offered)
        values = _KeepUnknown(
            other_methods=list_methods(plan.other_methods, language),
            wait_left=duration(diagnosis.wait_minutes, language),
        )
        for step in plan.steps:
            variation = pick_variation(responses.get(step.response) or [], language) or {}
            text = str(variation.get("text") or "")
            if text:
                replies.append(
                    (
                        messages.STEP_TITLES.get(step.step.value, step.step.value),
                        text.format_map(values),
                    )
                )
        for title, texts in messages.STAFF_REPLIES.get(diagnosis.cause.value, []):
            replies.append((title, texts[language]))
    replies += [(title, texts[language]) for title, texts in messages.GENERAL_REPLIES]
    return [{"title": title, "text": text} for title, text in replies]
