"""Roles: an agent gets 403 on every ops and admin route (generated from the desk's own
route table), an admin gets through; admins manage staff accounts."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sanic import Sanic

from desk.app import create_app
from desk.staff_accounts import Role, StaffAccounts
from ops.launch import ensure_demo_staff
from ops.schema import upgrade_database
from payhelp.settings import Settings
from payhelp.store.database import make_engine, make_session_factory
from tests.desk.conftest import PASSWORD, ScriptedBot

ADMIN_PREFIXES = ("staff/api/admin/", "staff/api/ops/")


def admin_routes() -> list[tuple[str, str]]:
    app = create_app(Settings(), rasa=ScriptedBot())
    found = set()
    for route in app.router.routes:
        if route.path.startswith(ADMIN_PREFIXES):
            found.update((method, route.path) for method in route.methods)
    return sorted(found)


ADMIN_ROUTES = admin_routes()


def test_the_route_table_has_the_admin_routes() -> None:
    for route in [
        ("GET", "staff/api/admin/staff"),
        ("POST", "staff/api/admin/staff"),
        ("POST", "staff/api/admin/staff/<staff_id:int>/active"),
        ("POST", "staff/api/admin/staff/<staff_id:int>/password"),
        ("GET", "staff/api/admin/maintenance"),
        ("POST", "staff/api/admin/maintenance"),
        ("GET", "staff/api/ops/channels"),
    ]:
        assert route in ADMIN_ROUTES


@pytest.fixture
def app(desk_settings: Settings) -> Sanic:
    return create_app(desk_settings, rasa=ScriptedBot())


def call(app: Sanic, method: str, path: str, **kwargs: Any):
    _, reply = getattr(app.test_client, method.lower())(path, **kwargs)
    return reply


def login(app: Sanic, username: str, password: str = PASSWORD) -> tuple[dict[str, str], str]:
    reply = call(app, "POST", "/staff/api/login", json={"username": username, "password": password})
    assert reply.status == 200, reply.text
    return {"desk_session": reply.cookies["desk_session"]}, reply.json["csrf"]


def concrete(path: str) -> str:
    return "/" + re.sub(r"<(\w+)(?::[^>]*)?>", "1", path)


@pytest.mark.parametrize("method,path", ADMIN_ROUTES, ids=[f"{m} /{p}" for m, p in ADMIN_ROUTES])
def test_an_agent_gets_403_and_an_admin_gets_through(app, method: str, path: str) -> None:
    body = {"active": True, "password": "another long password", "method": "paypal"}
    extra = {"json": body} if method == "POST" else {}
    agent_cookies, agent_csrf = login(app, "sam")
    refused = call(
        app, method, concrete(path), cookies=agent_cookies, **extra,
        headers={"X-CSRF-Token": agent_csrf},
    )  # fmt: skip
    assert refused.status == 403, (path, refused.status, refused.text)
    assert refused.json == {"error": "only admins may do this"}
    admin_cookies, admin_csrf = login(app, "alex")
    allowed = call(
        app, method, concrete(path), cookies=admin_cookies, **extra,
        headers={"X-CSRF-Token": admin_csrf},
    )  # fmt: skip
    assert allowed.status not in (401, 403), (path, allowed.status, allowed.text)


def test_me_says_the_role(app) -> None:
    cookies, _ = login(app, "alex")
    assert call(app, "GET", "/staff/api/me", cookies=cookies).json["agent"]["role"] == "admin"
    cookies, _ = login(app, "sam")
    assert call(app, "GET", "/staff/api/me", cookies=cookies).json["agent"]["role"] == "agent"


def test_an_admin_creates_disables_and_resets_accounts(app) -> None:
    cookies, csrf = login(app, "alex")
    headers = {"X-CSRF-Token": csrf}
    made = call(
        app, "POST", "/staff/api/admin/staff", cookies=cookies, headers=headers,
        json={"username": "Kim", "name": "Kim", "password": "kims password 1", "role": "agent"},
    )  # fmt: skip
    assert made.status == 201 and made.json["username"] == "kim" and made.json["role"] == "agent"
    kim_cookies, _ = login(app, "kim", "kims password 1")

    listed = call(app, "GET", "/staff/api/admin/staff", cookies=cookies).json["staff"]
    assert [(a["username"], a["role"], a["active"]) for a in listed] == [
        ("alex", "admin", True), ("sam", "agent", True), ("kim", "agent", True),
    ]  # fmt: skip

    kim = made.json["id"]
    reset = call(
        app, "POST", f"/staff/api/admin/staff/{kim}/password", cookies=cookies, headers=headers,
        json={"password": "a brand new password"},
    )  # fmt: skip
    assert reset.status == 200
    # Her session ended, the old password no longer works, the new one does.
    assert call(app, "GET", "/staff/api/me", cookies=kim_cookies).status == 401
    old = {"username": "kim", "password": "kims password 1"}
    assert call(app, "POST", "/staff/api/login", json=old).status == 401
    kim_cookies, _ = login(app, "kim", "a brand new password")

    off = call(
        app, "POST", f"/staff/api/admin/staff/{kim}/active", cookies=cookies, headers=headers,
        json={"active": False},
    )  # fmt: skip
    assert off.status == 200 and off.json["active"] is False
    assert call(app, "GET", "/staff/api/me", cookies=kim_cookies).status == 401
    new = {"username": "kim", "password": "a brand new password"}
    assert call(app, "POST", "/staff/api/login", json=new).status == 401


@pytest.mark.parametrize(
    "body,error",
    [
        ({"username": "x", "name": "X", "password": "short"}, "at least 10 characters"),
        ({"username": "sam", "name": "Sam", "password": "long enough pw"}, "is taken"),
        ({"username": "kim", "name": "Kim", "password": "long enough pw", "role": "boss"},
         "the role must be one of agent, admin"),
        ({"name": "Kim", "password": "long enough pw"}, "a username and a display name"),
    ],
)  # fmt: skip
def test_bad_accounts_get_a_clear_400(app, body: dict[str, Any], error: str) -> None:
    cookies, csrf = login(app, "alex")
    reply = call(
        app, "POST", "/staff/api/admin/staff", cookies=cookies,
        headers={"X-CSRF-Token": csrf}, json=body,
    )  # fmt: skip
    assert reply.status == 400 and error in reply.json["error"]


def test_the_last_admin_and_oneself_cannot_be_disabled(app, desk_settings: Settings) -> None:
    cookies, csrf = login(app, "alex")
    headers = {"X-CSRF-Token": csrf}
    self_off = call(
        app, "POST", "/staff/api/admin/staff/1/active", cookies=cookies, headers=headers,
        json={"active": False},
    )  # fmt: skip
    assert self_off.status == 400 and "your own account" in self_off.json["error"]
    accounts = StaffAccounts(make_session_factory(make_engine(desk_settings.database_url)))
    with pytest.raises(ValueError, match="last active admin"):
        accounts.set_active(1, False)


def test_the_first_account_make_run_creates_is_an_admin(tmp_path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'first.db'}")
    upgrade_database(settings.database_url)
    username, _ = ensure_demo_staff(settings)
    accounts = StaffAccounts(make_session_factory(make_engine(settings.database_url)))
    [account] = accounts.accounts()
    assert account.agent.username == username and account.agent.role is Role.ADMIN
    assert ensure_demo_staff(settings) is None  # only the first run creates one


def test_the_cli_creates_an_admin_with_role_admin(tmp_path, monkeypatch, capsys) -> None:
    from ops import staff_cli

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("a long password\n"))
    assert (
        staff_cli.main(["create-staff", "kim", "Kim", "--role", "admin", "--password-stdin"]) == 0
    )
    assert "role admin" in capsys.readouterr().out
    accounts = StaffAccounts(make_session_factory(make_engine(url)))
    assert [a.agent.role for a in accounts.accounts()] == [Role.ADMIN]
