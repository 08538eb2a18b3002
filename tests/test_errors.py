"""The error boundary: every command ends any failure with one line on stderr and its exit code
(2 usage or bad input, 70 a bug, asking to report it), and --debug or KG_DEBUG=1 adds the
traceback."""

from __future__ import annotations

import pytest

from kg.cli.common import INTERNAL

COMMANDS = [
    ["build"],
    ["validate"],
    ["stats"],
    ["queries"],
    ["query", "find-incidents"],
    ["sparql", "-"],
    ["attacks"],
    ["export"],
    ["export", "stix"],
    ["import", "finess", "README.md"],
    ["import", "stix", "README.md"],
    ["push", "--endpoint", "http://127.0.0.1:9/sparql", "--graph", "http://example.org/g"],
    ["serve"],
]


def _broken(*_args, **_kwargs):
    raise ZeroDivisionError("a bug")


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_bug_is_one_line_and_exit_70(cli, project, monkeypatch, args):
    monkeypatch.setattr("kg.project.Project.find", classmethod(_broken))
    monkeypatch.delenv("KG_DEBUG", raising=False)
    result = cli(*args, input="")
    assert result.exit_code == 70
    assert result.stderr == f"error: {INTERNAL}: ZeroDivisionError: a bug\n"


@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_a_bad_option_is_one_line_and_exit_2(cli, args):
    result = cli(*args, "--no-such-option")
    assert result.exit_code == 2
    command = " ".join(a for a in args if not a.startswith(("-", "http")) and "." not in a)
    assert result.stderr.splitlines() == [
        f"error: No such option: --no-such-option (see 'kg {command} --help')"
    ] or result.stderr.startswith("error: No such option: --no-such-option")
    assert len(result.stderr.splitlines()) == 1


def test_debug_shows_the_traceback(cli, monkeypatch):
    monkeypatch.setattr("kg.project.Project.find", classmethod(_broken))
    result = cli("--debug", "stats")
    assert result.exit_code == 70
    assert result.stderr.startswith("Traceback (most recent call last):")
    assert result.stderr.endswith(f"error: {INTERNAL}: ZeroDivisionError: a bug\n")


def test_kg_debug_variable_shows_the_traceback(cli, monkeypatch):
    monkeypatch.setattr("kg.project.Project.find", classmethod(_broken))
    monkeypatch.setenv("KG_DEBUG", "1")
    result = cli("stats")
    assert "Traceback (most recent call last):" in result.stderr


def test_our_own_error_has_no_traceback_even_for_an_os_error(cli, tmp_path):
    loop = tmp_path / "loop.rq"
    loop.symlink_to(loop)
    result = cli("sparql", str(loop))
    assert result.exit_code == 2
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


def test_a_root_too_long_for_the_file_system(cli):
    result = cli("--root", "/x" * 200, "stats")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: /x/x/x") and result.stderr.count("\n") == 1


def test_keyboard_interrupt_is_exit_130(cli, monkeypatch):
    def interrupted(*_args, **_kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr("kg.project.Project.find", classmethod(interrupted))
    result = cli("stats")
    assert result.exit_code == 130
    assert result.stderr == "error: interrupted\n"
