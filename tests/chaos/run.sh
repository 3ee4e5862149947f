#!/bin/sh
# The chaos lab (tests/chaos/README.md) for `make check`: the short
# profile; --full for the long one. The namespace is tests/lab/run.sh's.
exec "$(cd "$(dirname "$0")" && pwd)/../lab/run.sh" --chaos "$@"
