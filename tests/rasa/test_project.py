"""The Rasa project itself: validation, test stories, and that every name lines up."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ops.model import ensure_model, rasa_env
from payhelp.contracts import CATEGORICAL_SLOTS, Slot
from payhelp.core.causes import Detail, PaymentCause
from payhelp.core.education import Topic
from payhelp.core.orders import OrderStatus
from payhelp.core.remedies import Step
from payhelp.settings import PROJECT_ROOT, VAR_DIR

DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
PRODUCT_INTENTS = {
    "payment_failed", "charged_but_unpaid", "duplicate_charge", "payment_pending",
    "refund_status", "order_status", "payment_methods", "payment_tips", "request_human",
    "request_callback", "inform", "greet", "goodbye", "thank", "affirm", "deny",
    "bot_challenge", "out_of_scope",
}  # fmt: skip
# Responses whose names actions build from a value (see the actions package).
GENERATED = (
    {f"utter_order_status_{s.value}" for s in OrderStatus}
    | {f"utter_diagnosis_{d.value}" for d in Detail}
    | {f"utter_remedy_{s.value}" for s in Step}
    | {f"utter_remedy_{s.value}_detail" for s in Step}
    | {f"utter_tip_{t.value}" for t in Topic}
    | {f"utter_{kind}_{channel}"
       for kind in ("callback_confirmed", "ask_callback", "invalid_callback", "callback_readback",
                    "explain_callback")
       for channel in ("phone", "email")}
)  # fmt: skip


def rasa(*args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "rasa", *args],
        cwd=PROJECT_ROOT,
        env=rasa_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_intents_include_the_product_contract() -> None:
    # The product's intent names are fixed; the assistant may understand more.
    assert PRODUCT_INTENTS - set(DOMAIN["intents"]) == set()


def test_slots_are_the_shared_contract() -> None:
    assert set(DOMAIN["slots"]) == {slot.value for slot in Slot}
    for slot, values in CATEGORICAL_SLOTS.items():
        assert DOMAIN["slots"][slot.value]["values"] == [v.value for v in values], slot


def test_payment_cause_values_are_the_diagnosis_codes() -> None:
    assert DOMAIN["slots"]["payment_cause"]["values"] == [c.value for c in PaymentCause]


def test_every_generated_response_exists() -> None:
    assert GENERATED - set(DOMAIN["responses"]) == set()


def test_every_form_question_exists() -> None:
    for form in DOMAIN["forms"].values():
        for slot in form["required_slots"]:
            asked = f"utter_ask_{slot}" in DOMAIN["responses"]
            assert asked or f"action_ask_{slot}" in DOMAIN["actions"], slot


def test_every_response_is_used_somewhere() -> None:
    form_questions = {
        f"utter_ask_{slot}" for form in DOMAIN["forms"].values() for slot in form["required_slots"]
    }
    rules = (PROJECT_ROOT / "data" / "rules.yml").read_text()
    code = "\n".join(p.read_text() for p in (PROJECT_ROOT / "actions").glob("*.py"))
    code += (PROJECT_ROOT / "addons" / "masking_rest.py").read_text()
    unused = {
        name
        for name in DOMAIN["responses"]
        if name not in GENERATED | form_questions and name not in rules and f'"{name}"' not in code
    }
    assert unused == set()


def test_every_custom_action_in_the_domain_is_implemented() -> None:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    assert set(DOMAIN["actions"]) - set(executor.actions) == set()


def test_no_custom_slot_mapping_names_an_action() -> None:
    # A mapping with `action:` makes Rasa run that action after *every* message.
    for name, slot in DOMAIN["slots"].items():
        for mapping in slot["mappings"]:
            if mapping["type"] == "custom":
                assert "action" not in mapping, name


@pytest.mark.slow
def test_rasa_data_validate_is_clean() -> None:
    result = rasa("data", "validate", "--fail-on-warnings", "--data", "data",
                  "--domain", "domain.yml", "--config", "config.yml")  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    warnings = [line for line in output.splitlines() if "UserWarning" in line or "WARNING" in line]
    # Rasa cannot see responses uttered from custom actions; those are checked above. An
    # EXTERNAL_ intent is only ever sent by the desk (trigger_intent): it must have no
    # NLU examples, so no customer message can be taken for it.
    expected = (
        r"The utterance '\w+' is not used in any story",
        r"The intent 'EXTERNAL_\w+' is listed in the domain file, but is not found in the NLU",
    )
    unexpected = [w for w in warnings if not any(re.search(e, w) for e in expected)]
    assert unexpected == [], "\n".join(unexpected)


@pytest.mark.slow
def test_test_stories_pass_for_every_cause_path() -> None:
    model = ensure_model()
    out = VAR_DIR / "results" / "stories"
    result = rasa("test", "core", "--stories", "tests", "--model", str(model),
                  "--fail-on-prediction-errors", "--out", str(out), "--no-plot")  # fmt: skip
    assert result.returncode == 0, (result.stdout + result.stderr)[-4000:]
    failed = out / "failed_test_stories.yml"
    assert not failed.exists() or "story:" not in failed.read_text()
    stories = yaml.safe_load(Path(PROJECT_ROOT / "tests" / "test_stories.yml").read_text())
    causes = {
        slot["payment_cause"]
        for story in stories["stories"]
        for step in story["steps"]
        for slot in step.get("slot_was_set", [])
        if isinstance(slot, dict) and "payment_cause" in slot
    }
    assert causes == {c.value for c in PaymentCause}


def test_external_intents_have_no_nlu_examples() -> None:
    # Only the desk sends EXTERNAL_ intents (trigger_intent, after checking a signed token):
    # with no examples the classifier can never take a customer's message for one.
    external = {i for i in DOMAIN["intents"] if i.startswith("EXTERNAL_")}
    assert external == {"EXTERNAL_payment_failed"}
    for path in (PROJECT_ROOT / "data").rglob("*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        named = {item.get("intent") for item in data.get("nlu", []) if isinstance(item, dict)}
        assert not named & external, path
