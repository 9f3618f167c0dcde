"""The error tree: one root, each error also the builtin it really is, drawn in the module docstring."""

from __future__ import annotations

import inspect

import pytest

from stakeplug import errors
from stakeplug.errors import (
    AdapterLoadError,
    AdapterNotFoundError,
    AuthenticationError,
    BudgetExhaustedError,
    ConfigError,
    NotFoundError,
    PayloadError,
    PermissionDeniedError,
    PostingInterruptedError,
    PrivacyError,
    RateLimitedError,
    SecretInConfigError,
    StakeplugError,
    TrackerError,
    TransientError,
    UnavailableError,
)

TREE = {
    ConfigError: (StakeplugError, ValueError),
    SecretInConfigError: (ConfigError,),
    AdapterNotFoundError: (StakeplugError, LookupError),
    AdapterLoadError: (StakeplugError, ImportError),
    PrivacyError: (StakeplugError, PermissionError),
    TrackerError: (StakeplugError,),
    AuthenticationError: (TrackerError, PermissionError),
    PermissionDeniedError: (TrackerError, PermissionError),
    NotFoundError: (TrackerError, LookupError),
    PayloadError: (TrackerError, ValueError),
    BudgetExhaustedError: (TrackerError, TimeoutError),
    PostingInterruptedError: (TrackerError,),
    TransientError: (TrackerError, ConnectionError),
    RateLimitedError: (TransientError,),
    UnavailableError: (TransientError,),
}


@pytest.mark.parametrize(("error", "bases"), list(TREE.items()), ids=lambda x: getattr(x, "__name__", ""))
def test_each_error_is_also_the_builtin_it_really_is(error: type[Exception], bases: tuple[type, ...]) -> None:
    """Callers can catch the stakeplug class, the root, or the familiar builtin."""
    for base in bases:
        assert issubclass(error, base)
    assert issubclass(error, StakeplugError)


def test_every_public_error_is_in_the_tree_and_drawn_in_the_docstring() -> None:
    """The module docstring draws every class the module exports."""
    exported = {getattr(errors, name) for name in errors.__all__}
    assert exported == {*TREE, StakeplugError}
    doc = inspect.getdoc(errors) or ""
    for cls in exported:
        assert cls.__name__ in doc, cls.__name__


def test_config_error_message_starts_with_the_place() -> None:
    """A ConfigError names the file and the entry before the problem."""
    exc = ConfigError("must be 1 to 5, got 9", path="register.toml", location="stakeholders[3].power")
    assert str(exc) == "register.toml: stakeholders[3].power: must be 1 to 5, got 9"
    assert exc.detail == "must be 1 to 5, got 9"
    assert str(ConfigError("plain")) == "plain"


def test_tracker_errors_carry_adapter_and_status() -> None:
    """Every tracker error knows which adapter met it and the HTTP status, if any."""
    exc = NotFoundError("no such repo", adapter="github", status=404)
    assert (exc.adapter, exc.status) == ("github", 404)
    assert UnavailableError("reset", adapter="jira").status is None


def test_rate_limited_carries_retry_after() -> None:
    """A rate-limit error says how long the tracker asked us to wait."""
    exc = RateLimitedError("slow down", adapter="trello", retry_after=12.5)
    assert exc.retry_after == 12.5
    assert exc.status == 429
    assert isinstance(exc, ConnectionError)


def test_adapter_not_found_lists_installed() -> None:
    """AdapterNotFoundError keeps the requested name and the installed ones."""
    exc = AdapterNotFoundError("no adapter 'x'", name="x", installed=("file", "jira"))
    assert exc.installed == ("file", "jira")
    assert isinstance(exc, LookupError)


def test_mapping_at_the_edge_keeps_the_cause() -> None:
    """An adapter maps a library error with ``raise ... from exc``; the cause stays reachable."""

    def edge() -> None:
        try:
            raise OSError("connection reset by peer")
        except OSError as exc:
            raise UnavailableError("tracker unavailable", adapter="x") from exc

    with pytest.raises(UnavailableError) as info:
        edge()
    assert isinstance(info.value.__cause__, OSError)


@pytest.mark.parametrize(
    "error",
    [
        errors.StakeplugError("plain"),
        errors.ConfigError(
            "must be an integer 1–5, got 7", path="stakeplug.toml", location="stakeholders[3].power"
        ),
        errors.SecretInConfigError(
            "use STAKEPLUG_JIRA_TOKEN", path="stakeplug.toml", location="sources[0].token"
        ),
        errors.AdapterNotFoundError("no adapter 'trelo'", name="trelo", installed=("file", "jira")),
        errors.AdapterLoadError("stakeplug_jira failed to import"),
        errors.PrivacyError("the repository is public"),
        errors.TrackerError("odd answer", adapter="jira", status=418),
        errors.AuthenticationError("401", adapter="github", status=401),
        errors.PermissionDeniedError("403", adapter="github", status=403),
        errors.NotFoundError("no project AP", adapter="jira", status=404),
        errors.PayloadError("missing field 'fields'", adapter="jira"),
        errors.TransientError("try later", adapter="jira", status=503),
        errors.RateLimitedError("slow down", adapter="github", retry_after=30.0),
        errors.UnavailableError("503 three times", adapter="jira", status=503),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_survive_pickling(error: Exception) -> None:
    """A process pool or test runner can hand an error back: type, message and attributes survive."""
    import pickle

    again = pickle.loads(pickle.dumps(error))  # noqa: S301 - our own bytes, just made
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.args == error.args
    assert vars(again) == vars(error)
