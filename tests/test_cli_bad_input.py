"""Bad input that used to end in an internal error is an exit 2 with one line naming the place and the fix."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from clirun import run_stakeplug

CONFIG = """\
[project]
name = "Apollo"

[[team]]
name = "Dana Whitfield"
identities = { file = "dana" }

[[stakeholders]]
name = "Maria Jensen"
identities = { file = "maria" }

[[sources]]
adapter = "file"
path = "activity.jsonl"
"""
LINE = '{"kind": "comment", "actor": "maria", "timestamp": "2026-05-01T10:00:00Z", "item": {"id": "A-1"}}\n'


def _project(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "activity.jsonl").write_text(LINE, "utf-8")
    config = tmp_path / "stakeplug.toml"
    config.write_text(CONFIG + extra, "utf-8")
    return config


def _audit(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_stakeplug("audit", "--out", str(tmp_path / "out"), *args, cwd=tmp_path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--until", "9999-12-31"), "--until '9999-12-31' is outside the years 1970–2199"),
        (("--until", "0001-01-01"), "--until '0001-01-01' is outside the years"),
        (("--since", "200000000d"), "--since '200000000d' reaches back more than 36500 days"),
        (("--since", "99999999999999999999d"), "is not a date or time"),
    ],
)
def test_a_window_beyond_any_usable_date_is_a_usage_error(
    tmp_path: Path, args: tuple[str, str], says: str
) -> None:
    """Dates and spans no audit can use exit 2 with one line saying what to give instead."""
    _project(tmp_path)
    result = _audit(tmp_path, *args)
    assert result.returncode == 2, result.stderr
    assert says in result.stderr
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_read_only_source_as_task_target_is_a_config_error(tmp_path: Path) -> None:
    """``[tasks] adapter = "file"`` is refused by validate and by audit --post, naming tasks.adapter."""
    _project(tmp_path, '\n[tasks]\nadapter = "file"\npath = "activity.jsonl"\n')
    for args in (("validate",), ("audit", "--post", "--out", str(tmp_path / "out"))):
        result = run_stakeplug(*args, cwd=tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert "tasks.adapter" in result.stderr
        assert "cannot post care tasks" in result.stderr


def test_limits_out_of_range_name_the_key(tmp_path: Path) -> None:
    """A ``[limits]`` value that is not a sane number of minutes is refused with its place."""
    _project(tmp_path, "\n[limits]\nsource_minutes = 0\n")
    result = run_stakeplug("validate", cwd=tmp_path)
    assert result.returncode == 2
    assert "must be a number from 0.1 to 1440, got 0" in result.stderr
    assert "limits.source_minutes" in result.stderr


def test_a_bad_line_in_a_file_source_makes_it_partial_and_the_report_names_the_line(tmp_path: Path) -> None:
    """A reaction count of 10**400 and a date past 9999 skip their lines; the audit reports the rest, exit 3."""
    _project(tmp_path)
    good = LINE.replace('{"id": "A-1"}', '{"tool": "file", "id": "A-1"}')
    huge = good.replace('"comment"', '"reaction"').replace('"item"', f'"count": {10**400}, "item"')
    late = good.replace("2026-05-01T10:00:00Z", "9999-12-31T23:00:00-05:00")
    (tmp_path / "activity.jsonl").write_text(good + huge + late, "utf-8")
    result = _audit(tmp_path, "--until", "2026-06-01", "--format", "json")
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    (source,) = report["sources"]
    assert source["status"] == "partial"
    assert source["activities"] == 1
    assert source["skipped"] == 2
    assert source["skipped_reasons"][0].startswith("line 2: count must be a whole number from 1 to")
    assert source["skipped_reasons"][1].startswith("line 3: timestamp '9999-12-31T23:00:00-05:00' is outside")


GOOD_LINE = LINE.replace('{"id": "A-1"}', '{"tool": "file", "id": "A-1"}')


def _earlier_report(tmp_path: Path) -> Path:
    """The report.json of a real earlier run of this project."""
    _project(tmp_path)
    (tmp_path / "activity.jsonl").write_text(GOOD_LINE, "utf-8")
    first = _audit(tmp_path, "--until", "2026-06-01", "--format", "json", "--no-store")
    assert first.returncode == 0, first.stderr
    return tmp_path / "out" / "report.json"


def _one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    """The run exited 2 with a single error line and no traceback; that line."""
    assert result.returncode == 2, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("stakeplug: error: ")
    return lines[0]


def _damaged(report: str) -> dict[str, tuple[str, str | None]]:
    """Ways an earlier report can be damaged: the text to write, and the place the error must name."""
    data = json.loads(report)
    person = data["stakeholders"][0]

    def with_person(**fields: object) -> str:
        return json.dumps({**data, "stakeholders": [{**person, **fields}]})

    return {
        "not JSON": ("this is not a report\n", None),
        "empty": ("", None),
        "truncated": (report[: len(report) // 2], None),
        "a list": ("[1, 2, 3]", None),
        "another tool's JSON": ('{"issues": []}', None),
        "stakeholders not a list": (json.dumps({**data, "stakeholders": 5}), "at stakeholders"),
        "a stakeholder not an object": (
            json.dumps({**data, "stakeholders": ["Maria"]}),
            "at stakeholders[0]",
        ),
        "a name that is a list": (with_person(name=["Maria"]), "at stakeholders[0].name"),
        "a category that is an object": (with_person(category={"x": 1}), "at stakeholders[0].category"),
        "an acceptance of Infinity": (with_person(acceptance=float("inf")), "at stakeholders[0].acceptance"),
        "an energy of true": (with_person(energy=True), "at stakeholders[0].energy"),
        "a window that is text": (json.dumps({**data, "window": "last week"}), "at window"),
        "a date that is a number": (json.dumps({**data, "generated_at": 5}), "at generated_at"),
    }


DAMAGE = (
    "not JSON",
    "empty",
    "truncated",
    "a list",
    "another tool's JSON",
    "stakeholders not a list",
    "a stakeholder not an object",
    "a name that is a list",
    "a category that is an object",
    "an acceptance of Infinity",
    "an energy of true",
    "a window that is text",
    "a date that is a number",
)


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_previous_report_is_a_usage_error_naming_the_file(tmp_path: Path, damage: str) -> None:
    """--previous with a file that is no intact stakeplug report exits 2 in one line: the file,
    the place inside it when the JSON is read but has the wrong shape, and what to pass instead."""
    earlier = _earlier_report(tmp_path)
    text, place = _damaged(earlier.read_text("utf-8"))[damage]
    bad = tmp_path / "last.json"
    bad.write_text(text, "utf-8")
    line = _one_line_error(_audit(tmp_path, "--until", "2026-06-01", "--no-store", "--previous", str(bad)))
    assert "last.json" in line
    assert line.startswith("stakeplug: error: previous report ")
    assert "pass the report.json of an earlier run" in line
    if place is not None:
        assert place in line
    assert not (tmp_path / "out" / "report.md").exists()


def test_an_intact_previous_report_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    """A report saved again by an editor that adds a UTF-8 BOM still serves as --previous."""
    earlier = _earlier_report(tmp_path)
    again = tmp_path / "last.json"
    again.write_bytes(b"\xef\xbb\xbf" + earlier.read_bytes())
    result = _audit(
        tmp_path, "--until", "2026-06-01", "--no-store", "--previous", str(again), "--format", "json"
    )
    assert result.returncode == 0, result.stderr
    now = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert now["previous"]["generated_at"]


def test_a_config_that_starts_with_a_byte_order_mark_is_read_as_usual(tmp_path: Path) -> None:
    """Windows editors write a UTF-8 BOM first; validate and audit read such a config like any other."""
    config = _project(tmp_path)
    (tmp_path / "activity.jsonl").write_text(GOOD_LINE, "utf-8")
    config.write_bytes(b"\xef\xbb\xbf" + config.read_bytes())
    checked = run_stakeplug("validate", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "stakeplug.toml is valid" in checked.stdout
    result = _audit(tmp_path, "--until", "2026-06-01", "--no-store", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    assert report["project"]["name"] == "Apollo"
    assert [s["activities"] for s in report["sources"]] == [1]


def test_a_config_that_is_not_utf_8_names_the_byte_counting_the_bom(tmp_path: Path) -> None:
    """A bad byte after a BOM is reported at its offset in the file, BOM included."""
    config = _project(tmp_path)
    config.write_bytes(b"\xef\xbb\xbf# caf\xe9\n" + config.read_bytes())
    line = _one_line_error(run_stakeplug("validate", cwd=tmp_path))
    assert "is not UTF-8 text (byte 8)" in line


NFC = "Jos\u00e9 Ruiz"
NFD = "Jose\u0301 Ruiz"
"""The same name, its é written as one character and as e with a combining accent."""


def _people(tmp_path: Path, register: str, actor: str = "maria") -> Path:
    (tmp_path / "activity.jsonl").write_text(GOOD_LINE.replace('"maria"', json.dumps(actor)), "utf-8")
    config = tmp_path / "stakeplug.toml"
    source = '\n[[sources]]\nadapter = "file"\npath = "activity.jsonl"\n'
    config.write_text('[project]\nname = "Apollo"\n' + register + source, "utf-8")
    return config


def test_a_name_in_either_unicode_form_is_one_person(tmp_path: Path) -> None:
    """The team member written in NFC owns the stakeholder whose owner is written in NFD, the
    stakeholder's NFD account matches the NFC actor of the activity, and explain finds them by
    either form."""
    _people(
        tmp_path,
        f'\n[[team]]\nname = "{NFC}"\nidentities = {{ file = "dana" }}\n'
        f'\n[[stakeholders]]\nname = "Ana Lima"\nowner = "{NFD}"\nidentities = {{ file = "ren\u0065\u0301e" }}\n',
        actor="ren\u00e9e",
    )
    assert NFC != NFD
    result = _audit(tmp_path, "--until", "2026-06-01", "--no-store", "--format", "json")
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "out" / "report.json").read_text("utf-8"))
    [ana] = report["stakeholders"]
    assert ana["owner"] == NFC
    assert ana["signal_counts"], ana
    assert report["candidates"] == []
    (tmp_path / "stakeplug.toml").write_text(
        (tmp_path / "stakeplug.toml")
        .read_text("utf-8")
        .replace('"Ana Lima"', f'"{NFD}"')
        .replace(f'name = "{NFC}"', 'name = "Dana Whitfield"')
        .replace(f'owner = "{NFD}"', 'owner = "Dana Whitfield"'),
        "utf-8",
    )
    for asked in (NFC, NFD):
        explained = run_stakeplug("explain", "--until", "2026-06-01", "--no-store", asked, cwd=tmp_path)
        assert explained.returncode == 0, explained.stderr
        assert NFC in explained.stdout


@pytest.mark.parametrize(
    ("register", "here", "first"),
    [
        (
            f'\n[[team]]\nname = "Dana"\n\n[[stakeholders]]\nname = "{NFC}"\n\n[[stakeholders]]\nname = "{NFD}"\n',
            "at stakeholders[1].name",
            "stakeholders[0].name",
        ),
        (
            f'\n[[team]]\nname = "{NFD}"\n\n[[team]]\nname = "{NFC.upper()}"\n',
            "at team[1].name",
            "team[0].name",
        ),
        (
            '\n[[team]]\nname = "Dana"\n'
            f'\n[[stakeholders]]\nname = "Ana"\nidentities = {{ file = "{NFC}" }}\n'
            f'\n[[stakeholders]]\nname = "Bea"\nidentities = {{ file = "{NFD}" }}\n',
            "at stakeholders[1].identities.file",
            "stakeholders[0].identities.file",
        ),
    ],
    ids=["stakeholders", "team", "accounts"],
)
def test_a_duplicate_in_another_unicode_form_names_both_places(
    tmp_path: Path, register: str, here: str, first: str
) -> None:
    """Two entries that differ only in how an accent is encoded are one name: exit 2 naming both."""
    _people(tmp_path, register)
    for args in (("validate",), ("audit", "--no-store", "--out", "out")):
        line = _one_line_error(run_stakeplug(*args, cwd=tmp_path))
        assert here in line
        assert first in line
