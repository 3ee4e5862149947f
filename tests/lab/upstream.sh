#!/bin/sh
# The upstream lab (tests/lab/README.md, "The upstream lab") for
# `make check`: tests/lab/run.sh --upstream.
exec "$(cd "$(dirname "$0")" && pwd)/run.sh" --upstream "$@"
