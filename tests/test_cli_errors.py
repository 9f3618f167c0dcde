"""Bad input to the `stakeplug` command: each case through a real subprocess.

Every case checks the exit code, that the message says what is wrong and
where, that no traceback is shown without --debug, and that no report (or
temporary file) is left behind.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from clirun import run_stakeplug

REGISTER = """\
[project]
name = "Apollo"

[[team]]
name = "Dana Whitfield"
identities = { file = "dana" }

[[stakeholders]]
name = "Maria Jensen"
power = 4
identities = { file = "maria" }
"""

SECRET = "ghp_" + "Q7r8S9t0" * 5


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None, command: list[str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_stakeplug(*args, cwd=cwd, env=env, drop=("APOLLO_TOKEN",), command=command)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "a.jsonl").write_text(
        '{"kind": "comment", "actor": "maria", "timestamp": "2026-05-01T10:00:00Z", '
        '"item": {"tool": "file", "id": "1"}}\n',
        "utf-8",
    )
    return tmp_path


def config(folder: Path, extra: str = "", *, register: str = REGISTER) -> Path:
    path = folder / "stakeplug.toml"
    path.write_text(register + textwrap.dedent(extra), "utf-8")
    return path


SOURCE = '\n[[sources]]\nadapter = "file"\npath = "a.jsonl"\n'


def assert_clean_failure(result: subprocess.CompletedProcess[str], folder: Path, code: int = 2) -> str:
    """The run failed with ``code``, in at most two lines, and wrote nothing."""
    assert result.returncode == code, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert 1 <= len(lines) <= 2, result.stderr
    assert lines[0].startswith("stakeplug: error: ")
    leftovers = [p.name for p in folder.rglob("*") if p.name.startswith(("report", ".report"))]
    assert leftovers == []
    assert not (folder / "stakeplug-report").exists()
    return result.stderr


def test_a_missing_config_file(project: Path) -> None:
    """The file is named and `stakeplug init` is offered."""
    err = assert_clean_failure(run("audit", "--config", "nope.toml", cwd=project), project)
    assert "nope.toml" in err
    assert "file not found" in err
    assert "stakeplug init" in err


def test_a_toml_syntax_error_gives_line_and_column(project: Path) -> None:
    """The parser's position is passed on so the user can go straight to it."""
    config(project, '\n[[sources]\nadapter = "file"\n')
    err = assert_clean_failure(run("audit", cwd=project), project)
    assert "TOML syntax error" in err
    assert "line 13, column 10" in err
    assert "stakeplug.toml" in err


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ('\n[[stakeholder]]\nname = "Lena"\n', "did you mean 'stakeholders'"),
        ('\n[[sources]]\nadapter = "file"\npath = "a.jsonl"\npaht = "b"\n', "did you mean 'path'"),
    ],
)
def test_an_unknown_section_or_key_gets_a_did_you_mean(project: Path, extra: str, expected: str) -> None:
    """Typos in section and key names are caught with the closest valid name."""
    config(project, extra)
    err = assert_clean_failure(run("audit", cwd=project), project)
    assert expected in err


def test_a_value_out_of_range_names_the_entry_and_the_range(project: Path) -> None:
    """power = 9 is refused, naming the stakeholder entry and the allowed range."""
    config(project, register=REGISTER.replace("power = 4", "power = 9"))
    err = assert_clean_failure(run("validate", cwd=project), project)
    assert "stakeholders[0].power" in err
    assert "1–5" in err and "9" in err


def test_a_secret_written_in_the_file_is_refused_without_echoing_it(project: Path) -> None:
    """The key is named with the *_env alternative; the value appears nowhere in the output."""
    config(project, f'\n[[sources]]\nadapter = "github"\nrepo = "a/b"\ntoken = "{SECRET}"\n')
    result = run("audit", cwd=project)
    err = assert_clean_failure(result, project)
    assert "sources[0].token" in err
    assert "token_env" in err
    assert SECRET not in result.stdout + result.stderr
    debug = run("audit", "--debug", cwd=project)
    assert debug.returncode == 2
    assert SECRET not in debug.stdout + debug.stderr


def test_an_unknown_adapter_lists_the_installed_ones(project: Path) -> None:
    """The error names the missing adapter and what is installed."""
    config(project, '\n[[sources]]\nadapter = "gitlab"\n')
    err = assert_clean_failure(run("audit", cwd=project), project)
    assert "'gitlab'" in err
    assert "stakeplug.toml: sources[0].adapter" in err
    assert "installed:" in err and "file" in err
    assert "stakeplug adapters" in err


def test_an_unset_environment_variable_is_named(project: Path) -> None:
    """A source whose *_env variable is unset fails before anything is collected.

    The in-memory adapter of ``stakeplug.testing`` is registered in the child
    process the way a script registers an adapter it has not installed; the
    command itself is the real ``main``.
    """
    launcher = [
        sys.executable,
        "-c",
        "import sys, stakeplug; from stakeplug.testing import MemoryAdapter; "
        "stakeplug.register_adapter('memory', MemoryAdapter); "
        "from stakeplug.cli import main; sys.exit(main())",
    ]
    config(project, '\n[[sources]]\nadapter = "memory"\ntoken_env = "APOLLO_TOKEN"\n')
    err = assert_clean_failure(run("audit", cwd=project, command=launcher), project)
    assert "APOLLO_TOKEN" in err
    assert "sources[0]" in err
    ok = run("validate", cwd=project, command=launcher, env={"APOLLO_TOKEN": "tok-" + "x" * 20})
    assert ok.returncode == 0, ok.stderr
    assert "tok-" not in ok.stdout + ok.stderr


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--since", "last tuesday"), "--since 'last tuesday' is not a date or time"),
        (("--until", "2026-13-45"), "--until '2026-13-45' is not a date or time"),
        (("--since", "2026-05-02", "--until", "2026-05-01"), "is not before --until"),
    ],
)
def test_a_window_that_cannot_be_parsed(project: Path, args: tuple[str, ...], expected: str) -> None:
    """Dates are checked before the config is even read; the message shows accepted forms."""
    config(project, SOURCE)
    err = assert_clean_failure(run("audit", *args, cwd=project), project)
    assert expected in err


def test_an_output_folder_that_cannot_be_written(project: Path) -> None:
    """--out inside a regular file is refused before collecting, and nothing is written."""
    config(project, SOURCE)
    (project / "blocker").write_text("not a folder", "utf-8")
    err = assert_clean_failure(
        run("audit", "--out", "blocker/reports", "--until", "2026-06-01", cwd=project), project
    )
    assert "blocker" in err
    assert "--out" in err
    assert (project / "blocker").read_text("utf-8") == "not a folder"


def test_an_audit_without_sources_is_a_config_error(project: Path) -> None:
    """A config with no [[sources]] would audit nothing and suggest tasks from nothing: exit 2."""
    config(project)
    err = assert_clean_failure(run("audit", "--until", "2026-06-01", cwd=project), project)
    assert "no [[sources]] table" in err
    assert "stakeplug.toml" in err


def test_usage_errors_exit_2_in_one_line(project: Path) -> None:
    """argparse errors use the same one-line format and exit code 2."""
    result = run("audit", "--fail-on", "partner", cwd=project)
    err = assert_clean_failure(result, project)
    assert "did you mean 'partner-at-risk'" in err
    result = run("audit", "--format", "pdf", cwd=project)
    assert_clean_failure(result, project)
    result = run("frobnicate", cwd=project)
    assert_clean_failure(result, project)


def test_debug_shows_the_traceback(project: Path) -> None:
    """--debug adds the traceback after the error, for bug reports."""
    result = run("audit", "--config", "nope.toml", "--debug", cwd=project)
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert "stakeplug: error: file not found" in result.stderr


def test_a_reader_that_closes_the_pipe_early_is_no_internal_error(project: Path) -> None:
    """`stakeplug adapters | head -0`: the reader is gone before anything is written; the command
    ends quietly with 141, as a shell tool ended by SIGPIPE does, not with exit 4 and a traceback."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "stakeplug", "adapters"],
        cwd=project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, err
    assert "internal error" not in err and "Traceback" not in err and "BrokenPipe" not in err
