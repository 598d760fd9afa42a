#!/usr/bin/env bats
# runner.bats: tests/run.sh counts a skipped bats test as skipped (never as passed), names its
# reason, and fails the run on any skip under CI or --strict.
load helpers

setup() {
	tmp=$(mktemp -d)
	# (written with printf: a line starting with the at-sign test keyword would be this file's own)
	printf '@%s\n' 'test "passes" { true; }' 'test "skips" { skip "no widget here"; }' \
		'test "passes too" { [ 1 -eq 1 ]; }' >"$tmp/sample.bats"
}

teardown() { rm -rf "$tmp"; }

# run.sh with NAME=VALUE... in a clean environment: an inner bats must not see this one's BATS_*
# variables, nor its libexec directory on PATH (where `bats` is the internal one).
runsh() {
	local vars=() path
	path=$(printf '%s\n' "$PATH" | tr : '\n' | grep -v bats-core | paste -sd:)
	while [[ "${1:-}" == *=* ]]; do
		vars+=("$1")
		shift
	done
	run env -i PATH="$path" HOME="$HOME" "${vars[@]}" sh "$EAS_TOP/tests/run.sh" "$@"
}

@test "run.sh: a skip is counted as skipped, with its reason, and passes without CI" {
	runsh CI= "$tmp/sample.bats"
	[ "$status" -eq 0 ]
	[[ "$output" == *"check: 2 passed, 0 failed, 1 skipped"* ]]
	[[ "$output" == *"skips # skip no widget here"* ]]
}

@test "run.sh: a skip fails the run under CI and under --strict" {
	runsh CI=true "$tmp/sample.bats"
	[ "$status" -ne 0 ]
	[[ "$output" == *"check: 2 passed, 0 failed, 1 skipped"* ]]
	runsh CI= --strict "$tmp/sample.bats"
	[ "$status" -ne 0 ]
	runsh CI=false "$tmp/sample.bats"
	[ "$status" -eq 0 ]
}

@test "run.sh: a failure fails the run" {
	printf '@%s\n' 'test "fails" { false; }' >>"$tmp/sample.bats"
	runsh CI= "$tmp/sample.bats"
	[ "$status" -ne 0 ]
	[[ "$output" == *"check: 2 passed, 1 failed, 1 skipped"* ]]
}
