"""The `kg` command: a thin shell over the library (argument parsing, output, exit codes)."""
