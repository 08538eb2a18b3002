"""Docs that cannot rot: every command has help text and a line in the README's table."""

from __future__ import annotations

import re

import typer.main

from kg.cli.main import app
from tests.conftest import REPO


def commands() -> dict[str, object]:
    group = typer.main.get_group(app)
    out = {}
    for name, command in group.commands.items():
        sub = getattr(command, "commands", None)
        if sub:
            out.update({f"{name} {s}": c for s, c in sub.items()})
        out[name] = command
    return out


def test_every_command_has_help():
    missing = {name for name, command in commands().items() if not getattr(command, "help", None)}
    assert missing == set()


def test_every_command_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `kg ([a-z]+(?: [a-z]+)?)", readme, re.M))
    listed = {name if name in commands() else name.split()[0] for name in listed}
    groups = {name.split()[0] for name in commands() if " " in name}
    assert set(commands()) - listed - groups == set()
    assert groups - {name.split()[0] for name in listed} == set()


def test_readme_gives_exactly_two_setup_commands():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    setup = readme.split("## Set-up", 1)[1].split("\n## ", 1)[0]
    commands_ = [line.strip() for line in setup.splitlines() if line.startswith("    ")]
    assert len(commands_) == 2
    assert "kg build" in commands_[0] and "kg attacks" in commands_[0]
    assert commands_[1] == "bash scripts/test.sh"


def test_kg_help_is_instant_and_imports_no_rdflib():
    import subprocess
    import sys

    code = "import sys, kg.cli.main; print('rdflib' in sys.modules, 'pyshacl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False False"


# kg draft's NLP stack is an extra by its issue's request (issue 14: the base install stays
# light), and its command's line in the README says how to install it.
EXTRAS = {"spacy": "draft", "dateparser": "draft"}


def test_the_readme_install_has_every_module_kg_imports():
    """`pip install -e .` (the README's set-up) runs every documented command: each library
    kg imports inside a function (the heavy ones) is a dependency, not an extra, but for the
    extras of EXTRAS, which the README's command table names."""
    import tomllib

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    heavy = config["tool"]["ruff"]["lint"]["flake8-tidy-imports"]["banned-module-level-imports"]
    distributions = {"stix2validator": "stix2-validator"}
    required = {
        re.split(r"[<>=\[ ]", d, maxsplit=1)[0].lower() for d in config["project"]["dependencies"]
    }
    code = "\n".join(p.read_text(encoding="utf-8") for p in (REPO / "kg").rglob("*.py"))
    used = {m for m in heavy if re.search(rf"^\s*(?:import|from) {m}\b", code, re.M)}
    assert "pyproj" in used
    assert {distributions.get(m, m).lower() for m in used} - required - set(EXTRAS) == set()
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for module, extra in EXTRAS.items():
        listed = {re.split(r"[<>=\[ ]", d, maxsplit=1)[0].lower()
                  for d in config["project"]["optional-dependencies"][extra]}
        assert module in listed
        assert f"pip install -e '.[{extra}]'" in readme
