#!/bin/sh
# Run every libFuzzer target (tests/fuzz/README.md) for a short fixed time
# from its seed corpus: what `make check` does. Run from the top of the
# build tree, after `make fuzz` (make check builds them first).
#
# Environment: FUZZ_SECONDS (per target, default 20), FUZZ_PYTHON (python
# with dnspython for the seeds, default /usr/bin/python3), FUZZ_SCENARIOS
# (the conformance scenarios, default ../shared/conformance/scenarios
# beside the source tree).
#
# For each target: first every input in tests/fuzz/regress/<target>/ (the
# inputs of bugs found and fixed) once, then fuzzing from the seeds with a
# fresh working corpus. A crash fails the test and leaves the input in
# tests/fuzz/crashes/. Exit status: 0 all passed, 1 a target crashed,
# 77 skipped (built without clang, or --disable-fuzz).
set -u
here=$(cd "$(dirname "$0")" && pwd)
secs=${FUZZ_SECONDS:-20}
py=${FUZZ_PYTHON:-/usr/bin/python3}

if [ ! -f tests/fuzz/built-with ]; then
	echo "SKIP: fuzz targets not built: configure found no clang that links -fsanitize=fuzzer (Debian: clang libclang-rt-14-dev), or --disable-fuzz (scripts/test-all fuzzes in its sanitizer build only)"
	exit 77
fi
targets=
for bin in tests/fuzz/fuzz_*; do
	[ -x "$bin" ] && [ -f "$bin" ] && targets="$targets ${bin#tests/fuzz/fuzz_}"
done
if [ -z "$targets" ]; then
	echo "FAIL: tests/fuzz/built-with is there but no tests/fuzz/fuzz_* binary"
	exit 1
fi

# Fuzzing keeps a core busy: not while a lab times what it measures (the
# labs' lock, tests/lab/run.sh, taken alone as the chaos lab does).
lock=${LAB_LOCK:-$(pwd)/.resolverd-lab.lock}
if command -v flock >/dev/null 2>&1 && [ -w "$(dirname "$lock")" ]; then
	exec 9>"$lock"
	flock -x 9
fi

seeds=tests/fuzz/seeds
if [ ! -d "$seeds" ] || [ "$here/seeds.py" -nt "$seeds" ]; then
	rm -rf "$seeds"
	"$py" "$here/seeds.py" "$seeds" || { echo "FAIL: seeds.py"; exit 1; }
fi

# Leaks in libraries, not ours: see the file.
LSAN_OPTIONS="suppressions=$here/lsan.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

work=$(mktemp -d "${TMPDIR:-/tmp}/resolverd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p tests/fuzz/crashes
failed=0
for t in $targets; do
	bin=tests/fuzz/fuzz_$t
	mkdir -p "$work/$t" "$seeds/$t"
	regress=$here/regress/$t
	if [ -d "$regress" ] && [ -n "$(ls "$regress")" ]; then
		if ! "$bin" "$regress"/* >"$work/$t.regress.log" 2>&1; then
			echo "not ok - fuzz_$t: a regression input crashes again"
			tail -40 "$work/$t.regress.log"
			failed=1
			continue
		fi
		echo "ok - fuzz_$t: $(ls "$regress" | wc -l) regression inputs"
	fi
	"$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=tests/fuzz/crashes/"$t"- "$work/$t" "$seeds/$t" \
		>"$work/$t.log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t.log")
	cov=$(grep -E '^#[0-9]+' "$work/$t.log" | tail -1 | sed -n 's/.*\(cov: [0-9]*\).*/\1/p')
	if [ "$rc" -ne 0 ]; then
		echo "not ok - fuzz_$t: crashed after ${execs:-?} runs (input kept in tests/fuzz/crashes/)"
		grep -E 'ERROR|FUZZ_ASSERT|runtime error|SUMMARY|#[0-9]+ in ' "$work/$t.log" | head -30
		failed=1
	else
		echo "ok - fuzz_$t: ${secs} s, ${execs:-?} runs, $(ls "$seeds/$t" | wc -l) seeds, ${cov:-cov ?}"
	fi
done
exit $failed
