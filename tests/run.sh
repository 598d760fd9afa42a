#!/bin/sh
# run.sh: runs every unit test binary and every bats file, then prints one "check: N passed, N failed, N skipped" line.
# Usage: run.sh [--strict] [unit|bats|FILE.bats...]   (EAS_BIN, EAS_UNIT set by make)
# A skipped test is counted as skipped, never as passed, and its reason is printed.  With --strict,
# or when CI is set (to anything but "" or "false"), any skipped test makes the run fail.
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
export EAS_TOP="$top"
export EAS_SHARED="${EAS_SHARED:-$top/../shared}"
strict=0
case "${CI:-}" in "" | false | 0) ;; *) strict=1 ;; esac
if [ "${1:-}" = --strict ]; then
	strict=1
	shift
fi
pass=0 fail=0 skip=0
what="${1:-all}"
skipped=$(mktemp)
trap 'rm -f "$skipped"' EXIT

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
		# TAP: "ok N name # skip reason" is a skip, not a pass.
		s=$(grep -c '^ok .* # [Ss][Kk][Ii][Pp]' "$tap")
		p=$(grep -c '^ok ' "$tap")
		f=$(grep -c '^not ok ' "$tap")
		grep '^ok .* # [Ss][Kk][Ii][Pp]' "$tap" >>"$skipped"
		pass=$((pass + p - s)); fail=$((fail + f)); skip=$((skip + s))
		rm -f "$tap"
	fi
fi

if [ "$skip" -gt 0 ]; then
	echo "skipped tests (name # skip reason):"
	sed 's/^ok [0-9]* /  /' "$skipped"
	[ "$strict" -eq 1 ] && echo "skipped tests fail this run (CI or --strict): install what they need"
fi
echo "check: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ] && { [ "$strict" -eq 0 ] || [ "$skip" -eq 0 ]; }
