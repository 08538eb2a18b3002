"""`python -m kg` runs the `kg` command."""

from kg.cli.main import app

app(prog_name="kg")
