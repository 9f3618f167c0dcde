"""The application pipeline: stakeplug.run_audit from a script, its typed result and the exit code."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from importlib.resources import files
from pathlib import Path
from typing import Any, ClassVar

import pytest

import stakeplug
from stakeplug import AuditRun, Category, ExitCode, demo
from stakeplug.app.identities import similar_accounts
from stakeplug.testing import MemoryAdapter, failing_memory_adapter


class DownSource:
    """A source whose tracker refuses every request."""

    name: ClassVar[str] = "downsource"
    capabilities = MemoryAdapter.capabilities
    OPTIONS = MemoryAdapter.OPTIONS

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, env: Mapping[str, str] | None = None, where: str | None = None
    ) -> MemoryAdapter:
        return failing_memory_adapter()


class Target:
    """A task target kept between builds, so a test can look at what was posted."""

    name: ClassVar[str] = "apptarget"
    capabilities = MemoryAdapter.capabilities
    OPTIONS = MemoryAdapter.OPTIONS
    store: ClassVar[MemoryAdapter]

    @classmethod
    def from_config(
        cls, config: Mapping[str, Any], *, env: Mapping[str, str] | None = None, where: str | None = None
    ) -> MemoryAdapter:
        return cls.store


@pytest.fixture
def adapters() -> Iterator[MemoryAdapter]:
    Target.store = MemoryAdapter(tool="apptarget")
    stakeplug.register_adapter("downsource", DownSource, clobber=True)
    stakeplug.register_adapter("apptarget", Target, clobber=True)
    yield Target.store
    stakeplug.unregister_adapter("downsource")
    stakeplug.unregister_adapter("apptarget")


def project(folder: Path, extra: str = "") -> Path:
    """The demo project copied into ``folder``, with ``extra`` TOML appended to its config."""
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    config = folder / "stakeplug.toml"
    with config.open("a", encoding="utf-8") as fh:
        fh.write(extra)
    return config


def run_demo(folder: Path, extra: str = "", **options: Any) -> AuditRun:
    return stakeplug.run_audit(project(folder, extra), until=demo.UNTIL, **options)


def test_run_audit_writes_the_reports_and_returns_what_it_wrote(tmp_path: Path) -> None:
    """A script gets the audit, the suggestions, the report and the paths of the files written."""
    run = run_demo(tmp_path, out=tmp_path / "out", formats=["json", "md"])
    assert run.written == (tmp_path / "out" / "report.json", tmp_path / "out" / "report.md")
    assert json.loads(run.written[0].read_text("utf-8")) == json.loads(json.dumps(run.report))
    assert run.audit.activities_seen == run.report["activities_seen"] > 0
    assert [s.fingerprint for s in run.suggestions] == [g["fingerprint"] for g in run.report["suggestions"]]
    assert run.posting.target is None and run.posting.results is None


def test_without_out_nothing_is_written(tmp_path: Path) -> None:
    """Leaving out ``out`` runs the whole pipeline and writes no file."""
    config = project(tmp_path)
    before = set(tmp_path.iterdir())
    run = stakeplug.run_audit(config, until=demo.UNTIL)
    assert run.written == ()
    assert set(tmp_path.iterdir()) == before
    assert run.report["stakeholders"]


def test_exit_status_follows_the_fail_on_conditions_from_the_typed_result(tmp_path: Path) -> None:
    """The exit code is 0 without conditions and 1 naming who met partner-at-risk or opponent."""
    run = run_demo(tmp_path)
    assert run.exit_status().code is ExitCode.OK
    at_risk = run.exit_status(["partner-at-risk"])
    assert at_risk.code is ExitCode.FAIL_ON
    names = [s.name for s in run.audit.partners_at_risk]
    assert names and at_risk.reasons == ("partners at risk: " + ", ".join(names),)
    opponents = [s.name for s in run.audit.scores.values() if s.category is Category.OPPONENT]
    assert opponents and run.exit_status(["opponent"]).reasons == ("opponents: " + ", ".join(opponents),)
    with pytest.raises(ValueError, match="unknown fail-on"):
        run.exit_status(["sometimes"])


def test_a_failed_source_is_exit_3_before_any_fail_on_condition(
    tmp_path: Path, adapters: MemoryAdapter
) -> None:
    """A source that failed makes the run incomplete, which comes before partners at risk."""
    run = run_demo(tmp_path, '\n[[sources]]\nadapter = "downsource"\nname = "down"\n')
    status = run.exit_status(["partner-at-risk"])
    assert status.code is ExitCode.SOURCE
    assert status.reasons == ("incomplete: down (failed)",)
    assert run.exit_status(["source-error"]).code is ExitCode.FAIL_ON


def test_posting_is_a_named_result_with_one_post_result_per_suggestion(
    tmp_path: Path, adapters: MemoryAdapter
) -> None:
    """With post=True every suggestion is created in the target and the posting says so."""
    run = run_demo(tmp_path, '\n[tasks]\nadapter = "apptarget"\nprivate = true\n', post=True)
    assert run.posting.post and run.posting.target == "apptarget" and not run.posting.failed
    results = run.posting.results or ()
    assert [r.draft.fingerprint for r in results] == [s.fingerprint for s in run.suggestions]
    assert all(r.created for r in results)
    assert len(adapters.tasks) == len(run.suggestions)
    assert run.exit_status().code is ExitCode.OK


def test_a_failing_target_is_a_failed_posting_and_exit_3(tmp_path: Path, adapters: MemoryAdapter) -> None:
    """When the task target cannot be read, nothing is posted and the run is incomplete."""
    adapters.fail_with = failing_memory_adapter().fail_with
    run = run_demo(tmp_path, '\n[tasks]\nadapter = "apptarget"\n', post=True)
    assert run.posting.failed and run.posting.results is None
    assert "reading existing care tasks failed" in (run.posting.error or "")
    assert run.exit_status().code is ExitCode.SOURCE
    assert run.exit_status().reasons == ("incomplete: posting care tasks",)


@pytest.mark.parametrize(
    ("registered", "active", "similar"),
    [
        ("user-01", "user01", True),
        ("Maria.Jensen", "mariajensen", True),
        ("mjensen", "mjnesen", True),
        ("mjensen", "mjensn", True),
        ("mjensen", "mjansen", True),
        ("user05", "user09", False),
        ("user5", "user51", False),
        ("member001", "member010", False),
        ("member01a", "member0a1", False),
        ("abc", "abd", False),
        ("mjensen", "pkarim", False),
    ],
)
def test_similar_accounts_are_typos_not_other_people(registered: str, active: str, similar: bool) -> None:
    """Separators, case and one letter are typos; a different digit or a short account is another person."""
    assert similar_accounts(registered, active) is similar
