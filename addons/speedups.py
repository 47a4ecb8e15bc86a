"""A fix for Rasa 3.6's cost of checking every action server reply.

``RemoteAction._validate_action_result`` calls ``jsonschema.validate``, which first
re-validates Rasa's large events schema against the JSON-schema metaschema, on every
custom action call. That took about 70% of the Rasa server's CPU time per message here
(profiled with py-spy). The replacement builds the validator once and validates each
reply exactly as before (same schema, same error), minus the repeated metaschema check.
Rasa loads this through addons/masking_rest.py at start-up.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

_original = RemoteAction._validate_action_result


@lru_cache(maxsize=1)
def _validator() -> Any:
    spec = RemoteAction.action_response_format_spec()
    cls = validator_for(spec)
    cls.check_schema(spec)  # once, instead of on every call
    return cls(spec)


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    error = best_match(_validator().iter_errors(result))
    if error is None:
        return True
    return _original(self, result)  # the original raises with Rasa's explanatory message


def apply() -> None:
    """Install the faster check (idempotent)."""
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]


def is_applied() -> bool:
    return RemoteAction._validate_action_result is _validate_action_result
