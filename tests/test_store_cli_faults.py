"""The store from the command line under faults: a run killed mid-collect, a store that cannot be written."""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from clirun import run_stakeplug, stakeplug_command

EMAIL = "kill-bot@example.org"
TOKEN = "kill-test-token-5c1e"  # noqa: S105  (made up; only the fake accepts it)
ENV = {"KILL_JIRA_EMAIL": EMAIL, "KILL_JIRA_TOKEN": TOKEN}
MARIA = "5b10a2844c20165700ede21g"
OLU = "5b10ac8d82e05b22cc7d4ef5"
NIGHTS = ("2026-10-01", "2026-10-02")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_stakeplug(*args, cwd=cwd, env=ENV)


@pytest.fixture
def jira() -> Iterator[Any]:
    jira_testing = pytest.importorskip("stakeplug_jira.testing")
    with jira_testing.FakeJira(mode="cloud", email=EMAIL, token=TOKEN) as fake:
        fake.add_project("APOLLO")
        fake.add_user(MARIA, "Maria Jensen")
        fake.add_user(OLU, "Olu Bello")
        key = fake.add_issue("APOLLO", "Pilot plan", creator=OLU, created=datetime(2026, 9, 1, 9, tzinfo=UTC))
        fake.comment(key, MARIA, "Looks good to me", at=datetime(2026, 9, 2, 9, tzinfo=UTC))
        yield fake


def project(folder: Path, fake: Any) -> Path:
    path = folder / "stakeplug.toml"
    path.write_text(
        '[project]\nname = "Apollo"\n\n[[team]]\nname = "Olu Bello"\n'
        f'identities = {{ jira = "{OLU}" }}\n\n'
        '[[stakeholders]]\nname = "Maria Jensen"\npower = 5\ninterest = 4\nowner = "Olu Bello"\n'
        f'identities = {{ jira = "{MARIA}" }}\n'
        f'\n[[sources]]\nadapter = "jira"\nurl = "{fake.url}"\nproject = "APOLLO"\n'
        'email_env = "KILL_JIRA_EMAIL"\ntoken_env = "KILL_JIRA_TOKEN"\n',
        "utf-8",
    )
    return path


def store_info(folder: Path) -> dict[str, Any]:
    result = run("store", "info", "--json", cwd=folder)
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_a_run_killed_mid_collect_leaves_the_store_usable_and_the_rerun_completes(
    tmp_path: Path, jira: Any
) -> None:
    """SIGKILL while the second night waits on Jira: last night's store and cursor stand, the rerun finishes."""
    project(tmp_path, jira)
    assert run("audit", "--until", NIGHTS[0], "--out", "night1", cwd=tmp_path).returncode == 0
    before = store_info(tmp_path)
    key = next(iter(jira.state.issues))
    jira.comment(key, MARIA, "One more thing", at=datetime(2026, 10, 1, 12, tzinfo=UTC))
    jira.latency = 2.0
    jira.reset_stats()
    env = {**os.environ, **ENV}
    audit = subprocess.Popen(
        [stakeplug_command(), "audit", "--until", NIGHTS[1], "--out", "night2"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while jira.requests == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert jira.requests > 0, "the audit reached Jira"
    finally:
        os.kill(audit.pid, signal.SIGKILL)
        audit.wait()
    assert audit.returncode == -signal.SIGKILL
    jira.latency = 0.0
    after = store_info(tmp_path)
    assert after["runs"] == before["runs"] == 1
    assert after["activities"] == before["activities"]
    assert [s["cursor"] for s in after["sources"]] == [s["cursor"] for s in before["sources"]]
    rerun = run("audit", "--until", NIGHTS[1], "--out", "night2", cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    report = json.loads((tmp_path / "night2" / "report.json").read_text("utf-8"))
    assert report["previous"] is not None
    final = store_info(tmp_path)
    assert final["runs"] == 2
    assert final["activities"] == before["activities"] + 1
    assert [s["cursor"][:10] for s in final["sources"]] == [NIGHTS[1]]


def _no_root_override() -> None:
    """In the child: give up the capabilities that let root write where the mode bits forbid it."""
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``stakeplug *args`` as a process bound by file modes, even when the tests run as root."""
    try:
        return subprocess.run(
            [stakeplug_command(), *args],
            cwd=cwd,
            env={**os.environ, **ENV},
            preexec_fn=_no_root_override if os.geteuid() == 0 else None,  # no threads in the child
            check=False,
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.SubprocessError as exc:  # a container that may not drop capabilities
        pytest.skip(f"cannot run a process bound by file modes here: {exc}")


@pytest.fixture
def audited(tmp_path: Path, jira: Any) -> Iterator[Path]:
    """A project audited once, its store folded into one file (no write-ahead log beside it)."""
    project(tmp_path, jira)
    assert run("audit", "--until", NIGHTS[0], "--out", "night1", cwd=tmp_path).returncode == 0
    folder = tmp_path / ".stakeplug"
    for extra in ("store.sqlite-wal", "store.sqlite-shm"):
        (folder / extra).unlink(missing_ok=True)
    yield tmp_path
    folder.chmod(0o755)
    (folder / "store.sqlite").chmod(0o644)


def test_a_read_only_store_folder_is_exit_2_with_a_clear_message(audited: Path) -> None:
    """A store folder nobody may write: exit 2 naming the store and the fix, the store unchanged."""
    folder = audited / ".stakeplug"
    before = (folder / "store.sqlite").read_bytes()
    folder.chmod(0o555)
    result = run_unprivileged("audit", "--until", NIGHTS[1], "--out", "night2", cwd=audited)
    assert result.returncode == 2, result.stderr
    assert "store.sqlite" in result.stderr
    assert "cannot write" in result.stderr and "[store] path" in result.stderr
    assert "Traceback" not in result.stderr
    assert (folder / "store.sqlite").read_bytes() == before


def test_a_read_only_store_file_is_exit_2_with_a_clear_message(audited: Path) -> None:
    """A store file nobody may write: exit 2 naming it and saying to make it writable, the file unchanged."""
    path = audited / ".stakeplug" / "store.sqlite"
    before = path.read_bytes()
    path.chmod(0o444)
    result = run_unprivileged("audit", "--until", NIGHTS[1], "--out", "night2", cwd=audited)
    assert result.returncode == 2, result.stderr
    assert "store.sqlite" in result.stderr
    assert "cannot write" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_bytes() == before
