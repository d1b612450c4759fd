"""Session tokens, attempt limits, the sign-in log and OpenID Connect identities (core,
fake clocks)."""

from __future__ import annotations

import json
import stat

import pytest

from incidents.attempts import AttemptLimiter, Limits
from incidents.errors import IncidentsError
from incidents.sessions import Handoffs, SessionTokens, session_key
from incidents.signin import Gate, SignInLog, identity_user, unknown_identity_role
from incidents.users import User, UsersFile

PASSWORD = "a long password"
KEY = b"k" * 32


class Clock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def users(tmp_path) -> UsersFile:
    users = UsersFile(tmp_path / "users.json")
    users.add("ali", "admin", PASSWORD)
    users.add("awa", "editor", PASSWORD)
    return users


def tokens(users: UsersFile, clock: Clock, key: bytes = KEY) -> SessionTokens:
    return SessionTokens(users, key=key, lifetime=3600, clock=clock)


def test_a_token_names_its_user_until_it_expires(users) -> None:
    clock = Clock()
    token = tokens(users, clock).issue(users.get("awa"))
    assert PASSWORD not in token and "editor" not in token
    assert tokens(users, clock).check(token) == (User("awa", "editor"), clock.now + 3600)
    clock.now += 3599
    assert tokens(users, clock).verify(token) == User("awa", "editor")
    clock.now += 2
    assert tokens(users, clock).verify(token) is None


def test_a_forged_or_foreign_token_is_refused(users) -> None:
    clock = Clock()
    token = tokens(users, clock).issue(users.get("awa"))
    assert tokens(users, clock, key=b"x" * 32).verify(token) is None
    payload, _, signature = token.rpartition(".")
    assert tokens(users, clock).verify(payload + "." + signature[::-1]) is None
    assert tokens(users, clock).verify("not a token") is None


@pytest.mark.parametrize("change", [
    lambda users: users.set_active("awa", False),
    lambda users: users.set_role("awa", "viewer"),
    lambda users: users.add("awa", "editor", "another long password"),
    lambda users: users.end_sessions("awa"),
    lambda users: users.remove("awa"),
], ids=["disabled", "new role", "new password", "signed out", "removed"])
def test_a_change_to_the_user_ends_their_tokens(users, change) -> None:
    clock = Clock()
    token = tokens(users, clock).issue(users.get("awa"))
    other = tokens(users, clock).issue(users.get("ali"))
    change(users)
    assert tokens(users, clock).verify(token) is None
    assert tokens(users, clock).verify(other) == User("ali", "admin")


def test_a_re_enabled_user_does_not_get_old_tokens_back(users) -> None:
    token = tokens(users, Clock()).issue(users.get("awa"))
    users.set_active("awa", False)
    users.set_active("awa", True)
    assert tokens(users, Clock()).verify(token) is None


def test_the_key_is_made_once_and_kept_private(tmp_path) -> None:
    path = tmp_path / "session.key"
    key = session_key(path)
    assert len(key) == 32 and session_key(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_handoff_code_gives_its_token_once_within_a_minute() -> None:
    clock = Clock(0.0)
    handoffs = Handoffs(clock)
    code = handoffs.put("token")
    assert handoffs.take(code) == "token" and handoffs.take(code) is None
    late = handoffs.put("token")
    clock.now += 61
    assert handoffs.take(late) is None and handoffs.take("made up") is None


def gate(users: UsersFile, tmp_path, clock: Clock, **limits) -> Gate:
    return Gate(users, AttemptLimiter(Limits(**limits), clock),
                SignInLog(tmp_path / "signin-log.jsonl", clock))


def test_five_failures_start_a_cooling_off_that_even_the_right_password_meets(
        users, tmp_path) -> None:
    clock = Clock()
    desk = gate(users, tmp_path, clock)
    outcomes = [desk.sign_in("awa", "wrong") for _ in range(5)]
    assert [o.wait_seconds for o in outcomes[:4]] == [0, 0, 0, 0]
    assert outcomes[4].user is None and outcomes[4].wait_seconds == 15 * 60
    clock.now += 60
    refused = desk.sign_in("awa", PASSWORD)
    assert refused.user is None and refused.wait_seconds == 14 * 60
    clock.now += 14 * 60
    assert desk.sign_in("awa", PASSWORD).user == User("awa", "editor")
    events = [event["event"] for event in reversed(desk.log.recent())]
    assert events == ["failed"] * 5 + ["cooling_off_started", "refused_cooling_off",
                                       "signed_in"]


def test_an_unknown_name_is_treated_exactly_like_a_known_one(users, tmp_path) -> None:
    desk = gate(users, tmp_path, Clock(), failures=2)
    known = [desk.sign_in("awa", "wrong").wait_seconds for _ in range(3)]
    unknown = [desk.sign_in("nobody", "wrong").wait_seconds for _ in range(3)]
    assert known == unknown == [0, 900, 900]


def test_failures_spread_over_more_than_the_window_do_not_add_up(users, tmp_path) -> None:
    clock = Clock()
    desk = gate(users, tmp_path, clock, failures=3, window=600)
    for _ in range(5):
        assert desk.sign_in("awa", "wrong").wait_seconds == 0
        clock.now += 301


def test_a_success_clears_the_names_count(users, tmp_path) -> None:
    desk = gate(users, tmp_path, Clock(), failures=3)
    desk.sign_in("awa", "wrong")
    desk.sign_in("awa", "wrong")
    assert desk.sign_in("awa", PASSWORD).user is not None
    assert desk.sign_in("awa", "wrong").wait_seconds == 0


def test_an_address_guessing_many_names_is_cooled_off_for_every_name(users, tmp_path) -> None:
    desk = gate(users, tmp_path, Clock(), failures=5, address_failures=4)
    for name in ("a", "b", "c", "d"):
        desk.sign_in(name, "wrong", "203.0.113.9")
    assert desk.sign_in("ali", PASSWORD, "203.0.113.9").wait_seconds > 0
    assert desk.sign_in("ali", PASSWORD, "198.51.100.7").user == User("ali", "admin")


def test_name_case_and_spaces_do_not_dodge_the_count(users, tmp_path) -> None:
    desk = gate(users, tmp_path, Clock(), failures=2)
    desk.sign_in("awa", "wrong")
    assert desk.sign_in(" AWA ", "wrong").wait_seconds > 0


def test_limits_come_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("INCIDENTS_SIGNIN_FAILURES", "3")
    monkeypatch.setenv("INCIDENTS_SIGNIN_COOLING_MINUTES", "2")
    assert Limits.from_env() == Limits(failures=3, cooling_off=120.0)
    monkeypatch.setenv("INCIDENTS_SIGNIN_FAILURES", "many")
    with pytest.raises(IncidentsError, match="INCIDENTS_SIGNIN_FAILURES"):
        Limits.from_env()


def test_the_log_keeps_typed_names_as_data_and_is_private(users, tmp_path) -> None:
    desk = gate(users, tmp_path, Clock())
    desk.sign_in("<b>x</b>\n" + "y" * 500, "wrong", "203.0.113.9")
    desk.signed_out(users.get("ali"))
    path = tmp_path / "signin-log.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert lines[0]["name"].startswith("<b>x</b>\n") and len(lines[0]["name"]) == 100
    assert lines[0]["address"] == "203.0.113.9" and lines[1]["address"] == "local"
    assert lines[1] == {"at": "2027-01-15T08:00:00+00:00", "event": "signed_out",
                        "name": "ali", "address": "local"}


def test_an_identity_maps_to_its_user_by_verified_email(users) -> None:
    users.set_email("awa", "Awa@Example.org")
    users.add("binta@example.org", "viewer", PASSWORD)
    assert identity_user(users, {"email": "awa@example.org", "email_verified": True}) \
        == User("awa", "editor")
    assert identity_user(users, {"email": "BINTA@example.org"}) \
        == User("binta@example.org", "viewer")
    assert identity_user(users, {"email": "awa@example.org", "email_verified": False}) is None
    assert identity_user(users, {"sub": "123"}) is None
    users.set_active("awa", False)
    assert identity_user(users, {"email": "awa@example.org"}, "viewer") is None


def test_an_unknown_identity_is_refused_or_a_viewer_when_configured(users, monkeypatch) -> None:
    stranger = {"email": "x@example.org", "email_verified": True}
    assert identity_user(users, stranger, unknown_identity_role()) is None
    monkeypatch.setenv("INCIDENTS_OIDC_UNKNOWN_ROLE", "viewer")
    assert identity_user(users, stranger, unknown_identity_role()) \
        == User("x@example.org", "viewer")
    monkeypatch.setenv("INCIDENTS_OIDC_UNKNOWN_ROLE", "admin")
    with pytest.raises(IncidentsError, match="may only be 'viewer'"):
        unknown_identity_role()


def test_an_address_belongs_to_one_user(users) -> None:
    users.set_email("awa", "awa@example.org")
    with pytest.raises(IncidentsError, match="already awa's"):
        users.set_email("ali", "AWA@example.org")
    with pytest.raises(IncidentsError, match="not an email"):
        users.set_email("ali", "ali")
    users.add("awa", "editor", "another long password")
    assert users.by_email("awa@example.org") == User("awa", "editor")
