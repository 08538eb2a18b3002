#!/usr/bin/env bash
# The whole test suite from a fresh clone: a virtual environment with the package and its test
# dependencies, then ruff, mypy and pytest. Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'

# Debian's Virtuoso server and rapper, which the integration tests start and use (as root, or
# with password-less sudo); without them those tests are skipped, and say so.
if ! bash scripts/virtuoso.sh install; then
  echo "warning: Virtuoso and rapper could not be installed; the tests that need them will skip" >&2
fi

# Debian's Java, which compiles and runs the OWL API / HermiT checker of tests/test_owl.py
# (scripts/owl/OwlCheck.java, against the HermiT.jar that owlready2 ships).
if ! bash scripts/debian.sh javac default-jdk-headless; then
  echo "warning: Java could not be installed; the OWL API and HermiT tests will skip" >&2
fi

# Debian's Chromium, in which tests/test_release.py opens the ontology's HTML documentation.
if ! bash scripts/debian.sh chromium chromium; then
  echo "warning: Chromium could not be installed; the browser test of the documentation will skip" >&2
fi

.venv/bin/ruff check kg tests scripts bench
.venv/bin/mypy
# Two workers (pytest-xdist; KG_TEST_WORKERS=1 runs in one process): each has its own build, its
# own private Virtuoso and its own browser, so no test shares a store with another (with
# KG_TEST_VIRTUOSO_URL, one external Virtuoso for all, set KG_TEST_WORKERS=1).
.venv/bin/python -m pytest -n "${KG_TEST_WORKERS:-2}" "$@"
