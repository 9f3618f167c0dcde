"""The store from the command line: on by default, history across runs, store and history commands, faults."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from importlib.resources import files
from pathlib import Path

import pytest
from clirun import run_stakeplug

from stakeplug import demo
from stakeplug.store import SCHEMA_VERSION

run = run_stakeplug
UNTIL = "2026-11-30"


def copy_demo(folder: Path) -> Path:
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    return folder / "stakeplug.toml"


def _store(folder: Path) -> Path:
    return folder / ".stakeplug" / "store.sqlite"


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo audited on two nights, with the store on (the default)."""
    folder = tmp_path_factory.mktemp("nightly")
    copy_demo(folder)
    for out in ("night1", "night2"):
        result = run("audit", "--until", UNTIL, "--out", out, cwd=folder)
        assert result.returncode == 0, result.stderr
    return folder


def test_an_audit_keeps_a_store_beside_the_config_by_default(twice: Path) -> None:
    """Without any [store] table the audit writes .stakeplug/store.sqlite next to stakeplug.toml."""
    assert _store(twice).is_file()


def test_the_second_night_reports_movement_since_the_first_without_previous(twice: Path) -> None:
    """With a store, the report compares with the last recorded run: no --previous needed."""
    first = json.loads((twice / "night1" / "report.json").read_text("utf-8"))
    second = json.loads((twice / "night2" / "report.json").read_text("utf-8"))
    assert first["previous"] is None
    assert second["previous"] is not None
    assert second["previous"]["window"] == first["window"]


def test_store_info_names_sources_cursors_and_runs(twice: Path) -> None:
    """`stakeplug store info` prints the size, every source with its cursor, and the runs kept."""
    result = run("store", "info", cwd=twice)
    assert result.returncode == 0, result.stderr
    assert "runs kept: 2" in result.stdout
    for source in ("jira", "github", "mail"):
        assert f"source {source} (file)" in result.stdout
    data = json.loads(run("store", "info", "--json", cwd=twice).stdout)
    assert data["runs"] == 2 and data["activities"] > 0 and data["size"] > 0
    assert all(s["cursor"].startswith("2026-11-30") for s in data["sources"])


def test_history_prints_one_persons_path_over_time(twice: Path) -> None:
    """`stakeplug history NAME` lists the person's place in each recorded audit."""
    result = run("history", "Maria Jensen", cwd=twice)
    assert result.returncode == 0, result.stderr
    assert "Maria Jensen: 2 recorded audits" in result.stdout
    path = json.loads(run("history", "Maria Jensen", "--json", cwd=twice).stdout)
    assert len(path) == 2 and path[0]["category"] == path[1]["category"]


def test_no_store_runs_stateless(tmp_path: Path) -> None:
    """--no-store neither creates nor reads a store."""
    copy_demo(tmp_path)
    result = run("audit", "--until", UNTIL, "--out", "out", "--no-store", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / ".stakeplug").exists()


def test_a_store_switched_off_in_the_config_is_not_created(tmp_path: Path) -> None:
    """[store] enabled = false makes every run stateless; an unknown key in [store] is exit 2."""
    config = copy_demo(tmp_path)
    text = config.read_text("utf-8")
    config.write_text(text + "\n[store]\nenabled = false\n", "utf-8")
    assert run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path).returncode == 0
    assert not (tmp_path / ".stakeplug").exists()
    config.write_text(text + "\n[store]\npaht = 'x.sqlite'\n", "utf-8")
    result = run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "store.paht" in result.stderr and "path" in result.stderr


def test_a_damaged_store_is_exit_2_naming_the_file_and_rebuild_fixes_it(tmp_path: Path) -> None:
    """Garbage at the store path stops the audit with exit 2; `stakeplug store rebuild` makes it work again."""
    copy_demo(tmp_path)
    _store(tmp_path).parent.mkdir()
    _store(tmp_path).write_bytes(b"garbage, not a database" * 50)
    result = run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert "store.sqlite" in result.stderr and "stakeplug store rebuild" in result.stderr
    assert not (tmp_path / "out").exists()
    rebuilt = run("store", "rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert "source jira:" in rebuilt.stdout
    assert run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path).returncode == 0


def test_a_store_from_a_newer_stakeplug_is_exit_2_and_untouched(tmp_path: Path) -> None:
    """A store with a newer schema is refused with exit 2, saying so, and left as it was."""
    copy_demo(tmp_path)
    assert run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path).returncode == 0
    db = sqlite3.connect(_store(tmp_path))
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    before = _store(tmp_path).read_bytes()
    result = run("audit", "--until", UNTIL, "--out", "out2", cwd=tmp_path)
    assert result.returncode == 2
    assert "newer stakeplug" in result.stderr
    assert _store(tmp_path).read_bytes() == before


_HOLDER = textwrap.dedent(
    """
    import sys, time
    from stakeplug.store import Store
    store = Store.open(sys.argv[1])
    print("holding", flush=True)
    time.sleep(30)
    """
)


def test_a_second_audit_on_a_held_store_waits_then_exits_2(tmp_path: Path) -> None:
    """While another run holds the store, an audit waits lock_timeout seconds, then exits 2 saying why."""
    config = copy_demo(tmp_path)
    config.write_text(config.read_text("utf-8") + "\n[store]\nlock_timeout = 0.2\n", "utf-8")
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(_store(tmp_path))], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        result = run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert "another stakeplug run is using this store" in result.stderr
    assert run("audit", "--until", UNTIL, "--out", "out", cwd=tmp_path).returncode == 0
