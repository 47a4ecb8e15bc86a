"""Canned replies for staff: the remedies planned for the diagnosed cause, worded as the
bot words them (domain.yml), plus replies for what only staff can settle."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from desk import messages
from payhelp.core.remedies import plan_remedies
from payhelp.lookup import OrderFindings
from payhelp.messages import duration, list_methods


class _KeepUnknown(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def canned_replies(
    findings: OrderFindings | None,
    responses: Mapping[str, Any],
    shop_methods: Sequence[str],
) -> list[dict[str, str]]:
    replies: list[tuple[str, str]] = []
    if findings is not None:
        diagnosis = findings.diagnosis
        # Staff may suggest the bot's remedies even where the bot handed over; never a
        # payment method that is down right now.
        offered = findings.channels.usable(shop_methods)
        plan = plan_remedies(replace(diagnosis, persisting=False), offered)
        values = _KeepUnknown(
            other_methods=list_methods(plan.other_methods),
            wait_left=duration(diagnosis.wait_minutes),
        )
        for step in plan.steps:
            variants = responses.get(step.response) or [{}]
            text = variants[0].get("text", "")
            if text:
                replies.append(
                    (
                        messages.STEP_TITLES.get(step.step.value, step.step.value),
                        text.format_map(values),
                    )
                )
        replies += messages.STAFF_REPLIES.get(diagnosis.cause.value, [])
    replies += messages.GENERAL_REPLIES
    return [{"title": title, "text": text} for title, text in replies]
