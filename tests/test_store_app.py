"""The store from a script: stakeplug.run_audit takes an open store or None."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import pytest

import stakeplug
from stakeplug import demo
from stakeplug.app.memory import open_store
from stakeplug.engine import batches
from stakeplug.store import PROGRESS_EVERY, Store


def project(folder: Path) -> Path:
    for name in demo.FILES:
        (folder / name).write_bytes(files("stakeplug.demo").joinpath(name).read_bytes())
    return folder / "stakeplug.toml"


def test_run_audit_with_a_store_records_the_run_and_compares_the_next_with_it(tmp_path: Path) -> None:
    """The second run through the same store has the first as its previous run and the same audit."""
    config = stakeplug.load_config(project(tmp_path))
    with Store.open(tmp_path / "s.sqlite") as store:
        first = stakeplug.run_audit(config, until=demo.UNTIL, store=store)
        second = stakeplug.run_audit(config, until=demo.UNTIL, store=store)
        assert len(store.runs()) == 2
    assert first.report["previous"] is None
    assert second.report["previous"] is not None
    assert {n: s.category for n, s in first.audit.scores.items()} == {
        n: s.category for n, s in second.audit.scores.items()
    }
    assert second.audit.activities_seen == first.audit.activities_seen


def test_run_audit_without_a_store_creates_no_file(tmp_path: Path) -> None:
    """``store=None`` (the default for scripts) is a stateless run: nothing beside the config."""
    config = project(tmp_path)
    stakeplug.run_audit(config, until=demo.UNTIL)
    assert not (tmp_path / ".stakeplug").exists()


def test_the_config_names_the_store_relative_to_its_own_folder(tmp_path: Path) -> None:
    """``[store] path`` is resolved beside the config file, wherever the script runs."""
    path = project(tmp_path)
    with path.open("a", encoding="utf-8") as fh:
        fh.write('\n[store]\npath = "state/audit.sqlite"\n')
    store = open_store(stakeplug.load_config(path))
    assert store is not None
    store.close()
    assert (tmp_path / "state" / "audit.sqlite").is_file()


class _Heard(list[tuple[str, int, int]]):
    """A progress display that keeps what it was told."""

    def __call__(self, source: str, activities: int, requests: int) -> None:
        self.append((source, activities, requests))

    def done(self) -> None:
        self.append(("done", -1, -1))


def test_progress_through_the_store_counts_up_while_collecting_and_never_goes_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Collecting into the store (every PROGRESS_EVERY activities), then reading back in parts:
    per source one count that only grows, though the read-back starts again from its first part."""
    monkeypatch.setattr(batches, "_PART", 100)
    config = stakeplug.load_config(project(tmp_path))
    heard = _Heard()
    with Store.open(tmp_path / "s.sqlite") as store:
        run = stakeplug.run_audit(config, until=demo.UNTIL, store=store, progress=heard)
    assert heard[-1] == ("done", -1, -1)
    github = next(r for r in run.audit.sources if r.name == "github")
    assert github.activities > PROGRESS_EVERY
    assert ("github", PROGRESS_EVERY, 1) in heard, "told while collecting into the store"
    for report in run.audit.sources:
        counts = [n for source, n, _ in heard if source == report.name]
        assert counts == sorted(counts), f"{report.name} went back: {counts}"
        assert counts[-1] == report.activities
        assert len(counts) > 2
