#!/bin/sh
# run.sh: runs every unit test binary and every bats file, then prints one "N passed, N failed" line.
# Usage: run.sh [unit|bats|FILE.bats...]   (EAS_BIN, EAS_UNIT set by make)
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export EAS_TOP="$top"
export EAS_SHARED="${EAS_SHARED:-$top/../shared}"
pass=0 fail=0
what="${1:-all}"

if [ "$what" = all ] || [ "$what" = unit ]; then
	for t in "$EAS_UNIT"/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1); rc=$?
		printf '%s\n' "$out"
		line=$(printf '%s\n' "$out" | tail -n 1)
		p=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\1/p')
		f=$(printf '%s' "$line" | sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed.*/\2/p')
		[ -n "$p" ] || { p=0; f=1; echo "$t: no result line (exit $rc)"; }
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		pass=$((pass + p)); fail=$((fail + f))
	done
fi

if [ "$what" = all ] || [ "$what" = bats ] || [ "${what%.bats}" != "$what" ]; then
	if [ "$what" = all ] || [ "$what" = bats ]; then
		files=$(ls "$here"/*.bats 2>/dev/null)
	else
		files="$*"
	fi
	if [ -n "$files" ]; then
		tap=$(mktemp)
		# shellcheck disable=SC2086
		bats --tap $files | tee "$tap"
		p=$(grep -c '^ok ' "$tap")
		f=$(grep -c '^not ok ' "$tap")
		pass=$((pass + p)); fail=$((fail + f))
		rm -f "$tap"
	fi
fi

echo "check: $pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
