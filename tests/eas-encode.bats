#!/usr/bin/env bats
# eas-encode.bats: command-line tests of eas-encode: multimon-ng interop, validation, lengths, files, pipes.
load helpers
bats_require_minimum_version 1.5.0

H='ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-'

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# Expected byte count: RATE HEADER_LEN ATTENTION_SECONDS(0 = none) EOM(1/0) [EXTRA_SAMPLES]
expected_bytes() {
	local rate=$1 hlen=$2 att=$3 eom=$4 extra=${5:-0}
	local bits=$((3 * 8 * (16 + hlen) + eom * 3 * 8 * (16 + 4)))
	local fsk=$((bits * 6 * rate / 3125))
	local quiet=$((rate * (3 + eom * 4)))
	echo $((2 * (fsk + quiet + att * rate + extra)))
}

# One invalid header: exit 2, one line "eas-encode: invalid header: ..." matching $2.
invalid() {
	run --separate-stderr eas-encode "$1"
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "eas-encode: invalid header: "* ]]
	[[ "$stderr" =~ $2 ]]
}

@test "multimon-ng decodes the header and three EOMs" {
	run bash -c "eas-encode -r 22050 '$H' | multimon-ng -q -t raw -a EAS -"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "EAS: $H" ]
	[ "${lines[1]}" = "EAS: NNNN" ]
	[ "$(printf '%s\n' "$output" | grep -c '^EAS: ZCZC')" -eq 1 ]
	[ "$(printf '%s\n' "$output" | grep -vc '^EAS: \(ZCZC\|NNNN\)')" -eq 0 ]
}

@test "multimon-ng decodes a 31-location header" {
	locs=$(for i in $(seq 1 31); do printf -- '-039%03d' $((i * 2 - 1)); done)
	h="ZCZC-CIV-EVI${locs}+0600-0010000-WXYZ/FMX-"
	run bash -c "eas-encode '$h' | multimon-ng -q -t raw -a EAS -"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "EAS: $h" ]
}

@test "multimon-ng decodes output made at 8000 and 48000 Hz after resampling" {
	for r in 8000 48000; do
		run bash -c "eas-encode -r $r --attention none '$H' | sox -t raw -r $r -e signed -b 16 -c 1 - -t raw -r 22050 - | multimon-ng -q -t raw -a EAS -"
		[ "${lines[0]}" = "EAS: $H" ]
	done
}

@test "header built from fields" {
	run bash -c "eas-encode --org WXR --event TOR --loc 039173 --loc 039035 --purge 0030 --issued 1231645 --sender KCLE/NWS | multimon-ng -q -t raw -a EAS -"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "EAS: ZCZC-WXR-TOR-039173-039035+0030-1231645-KCLE/NWS-" ]
}

@test "--issued now uses the current UTC day and time" {
	before=$(date -u +%j%H%M)
	run bash -c "eas-encode -v --org WXR --event RWT --loc 000000 --purge 0015 --issued now --sender KCLE/NWS 2>&1 >/dev/null"
	after=$(date -u +%j%H%M)
	[ "$status" -eq 0 ]
	[[ "$output" =~ ZCZC-WXR-RWT-000000\+0015-([0-9]{7})-KCLE/NWS- ]]
	[ "${BASH_REMATCH[1]}" = "$before" ] || [ "${BASH_REMATCH[1]}" = "$after" ]
}

@test "field-built header with a missing field" {
	run eas-encode --org WXR --event TOR --loc 039173 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$output" == "eas-encode: missing --purge"* ]]
	run eas-encode --event TOR --loc 039173 --purge 0030 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$output" == "eas-encode: missing --org"* ]]
	run eas-encode --org WXR --event TOR --purge 0030 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$output" == "eas-encode: missing --loc"* ]]
	run eas-encode --org WXR --event TOR --loc 039173 --purge 0030
	[ "$status" -eq 2 ]
	[[ "$output" == "eas-encode: missing --sender"* ]]
}

@test "field-built header that is invalid" {
	run eas-encode --org WXR --event TOR --loc 03917X --purge 0030 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$output" == 'eas-encode: invalid header: location 1 "03917X"'* ]]
	run eas-encode --org WXR --event TOR --loc 039173 --purge 0030 --sender KCLE
	[ "$status" -eq 2 ]
	[[ "$output" == 'eas-encode: invalid header: '*sender* ]]
	run eas-encode --org WXR --event TOR --loc 039173 --purge 0030 --issued 9991200 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$output" == 'eas-encode: invalid header: issue time'* ]]
}

@test "HEADER and field options together are refused" {
	run eas-encode --org WXR "$H"
	[ "$status" -eq 2 ]
	[[ "$output" == *"not both"* ]]
}

@test "missing HEADER is a usage error" {
	run eas-encode
	[ "$status" -eq 2 ]
	[[ "$output" == "eas-encode: missing HEADER"* ]]
}

@test "unknown originator" {
	invalid 'ZCZC-XXX-TOR-039173+0030-1231645-KCLE/NWS-' 'originator "XXX"'
}

@test "unknown event" {
	invalid 'ZCZC-WXR-QQQ-039173+0030-1231645-KCLE/NWS-' 'event "QQQ"'
}

@test "bad location code" {
	invalid 'ZCZC-WXR-TOR-03917X+0030-1231645-KCLE/NWS-' 'location 1 "03917X"'
	invalid 'ZCZC-WXR-TOR-039173-12345+0030-1231645-KCLE/NWS-' 'location 2'
}

@test "purge that is not a legal duration" {
	invalid 'ZCZC-WXR-TOR-039173+0020-1231645-KCLE/NWS-' 'purge "0020"'
	invalid 'ZCZC-WXR-TOR-039173+0145-1231645-KCLE/NWS-' 'purge "0145"'
}

@test "sender not 8 characters" {
	invalid 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NW-' 'sender'
	invalid 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWSX-' 'sender|trailing'
}

@test "32 locations" {
	locs=$(for i in $(seq 1 32); do printf -- '-039%03d' "$i"; done)
	invalid "ZCZC-WXR-TOR${locs}+0030-1231645-KCLE/NWS-" 'more than 31 locations'
	args=()
	for i in $(seq 1 32); do args+=(--loc "039$(printf %03d "$i")"); done
	run --separate-stderr eas-encode --org WXR --event TOR "${args[@]}" --purge 0030 --sender KCLE/NWS
	[ "$status" -eq 2 ]
	[[ "$stderr" == "eas-encode: invalid header: "*"31 locations"* ]]
}

@test "reserved characters" {
	invalid 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE-NWS-' "reserved character '-'"
	invalid 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS' "missing '-'"
	invalid 'ZCZC-WXR-TOR+039173+0030-1231645-KCLE/NWS-' '.'
}

@test "rate out of range or not an integer" {
	for r in 7999 192001 0 -5 22050.5 abc ""; do
		run eas-encode -r "$r" "$H"
		[ "$status" -eq 2 ]
		[[ "$output" == "eas-encode: invalid rate '$r': must be an integer from 8000 to 192000" ]]
	done
}

@test "bad --attention and --attention-seconds" {
	run eas-encode --attention 1000 "$H"
	[ "$status" -eq 2 ]
	[ "$output" = "eas-encode: invalid --attention '1000': must be 853+960, 1050 or none" ]
	for s in 7 25.5 x; do
		run eas-encode --attention-seconds "$s" "$H"
		[ "$status" -eq 2 ]
		[ "$output" = "eas-encode: invalid --attention-seconds '$s': must be a number from 8 to 25" ]
	done
}

@test "output length: default, --attention none, 1050 for 25 s, --no-eom" {
	run bash -c "eas-encode '$H' | wc -c"
	[ "$output" -eq "$(expected_bytes 22050 ${#H} 8 1)" ]
	run bash -c "eas-encode --attention none '$H' | wc -c"
	[ "$output" -eq "$(expected_bytes 22050 ${#H} 0 1)" ]
	run bash -c "eas-encode -r 48000 --attention 1050 --attention-seconds 25 '$H' | wc -c"
	[ "$output" -eq "$(expected_bytes 48000 ${#H} 25 1)" ]
	run bash -c "eas-encode -r 11025 --no-eom '$H' | wc -c"
	[ "$output" -eq "$(expected_bytes 11025 ${#H} 8 0)" ]
	[ "$output" -lt "$(expected_bytes 11025 ${#H} 8 1)" ]
}

@test "--no-eom: multimon-ng hears no NNNN" {
	run bash -c "eas-encode --no-eom '$H' | multimon-ng -q -t raw -a EAS -"
	[ "$output" = "EAS: $H" ]
}

@test "-o out.wav and -o out.flac have the right rate and length" {
	eas-encode -r 44100 -o "$tmp/out.wav" "$H"
	[ "$(soxi -r "$tmp/out.wav")" = 44100 ]
	[ "$(soxi -c "$tmp/out.wav")" = 1 ]
	[ "$(soxi -s "$tmp/out.wav")" -eq $(($(expected_bytes 44100 ${#H} 8 1) / 2)) ]
	eas-encode -r 16000 --attention none -o "$tmp/out.flac" "$H"
	[ "$(ffprobe -v error -show_entries stream=sample_rate -of csv=p=0 "$tmp/out.flac")" = 16000 ]
	[ "$(soxi -s "$tmp/out.flac")" -eq $(($(expected_bytes 16000 ${#H} 0 1) / 2)) ]
	run bash -c "sox '$tmp/out.wav' -t raw -r 22050 -e signed -b 16 -c 1 - | multimon-ng -q -t raw -a EAS -"
	[ "${lines[0]}" = "EAS: $H" ]
}

@test "-o with an unknown extension" {
	run eas-encode -o "$tmp/out.mp3" "$H"
	[ "$status" -eq 2 ]
	[[ "$output" == *"must end in .wav or .flac"* ]]
	[ ! -e "$tmp/out.mp3" ]
}

@test "--message is mixed down, resampled and placed before the EOM" {
	sox -n -r 44100 -c 2 "$tmp/msg.wav" synth 3 sine 440
	run bash -c "eas-encode -m '$tmp/msg.wav' '$H' | wc -c"
	[ "$status" -eq 0 ]
	want=$(expected_bytes 22050 ${#H} 8 1 $((3 * 22050)))
	# The resampler may add or drop a few samples at the edges.
	[ $((output - want)) -le 64 ] && [ $((want - output)) -le 64 ]
	run bash -c "eas-encode -m '$tmp/msg.wav' '$H' | multimon-ng -q -t raw -a EAS -"
	[ "${lines[0]}" = "EAS: $H" ]
	[ "${lines[1]}" = "EAS: NNNN" ]
	sox -n -r 22050 -c 1 "$tmp/same.wav" synth 2 sine 440
	run bash -c "eas-encode -m '$tmp/same.wav' '$H' | wc -c"
	[ "$output" -eq "$(expected_bytes 22050 ${#H} 8 1 $((2 * 22050)))" ]
}

@test "--message that cannot be read" {
	run eas-encode -m "$tmp/none.wav" "$H"
	[ "$status" -eq 1 ]
	[[ "$output" == "eas-encode: $tmp/none.wav: "* ]]
}

@test "refuses to write raw PCM to a terminal" {
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "$EAS_BIN/eas-encode '$H'" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to write raw PCM to a terminal"* ]]
}

@test "a closed pipe ends it quietly with status 1" {
	run bash -c "eas-encode '$H' 2>'$tmp/err' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "$output" = 1 ]
	[ ! -s "$tmp/err" ]
}

@test "a write error is reported with status 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	run bash -c "eas-encode '$H' >/dev/full"
	[ "$status" -eq 1 ]
	[[ "$output" == "eas-encode: stdout: write failed: "* ]]
}

@test "-h prints usage to stdout and exits 0" {
	run --separate-stderr eas-encode -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: eas-encode"* ]]
	[ -z "$stderr" ]
	for o in --rate --output --attention --attention-seconds --message --no-eom --org --event --loc --purge --issued --sender --version; do
		[[ "$output" == *"$o"* ]]
	done
}

@test "--version" {
	run eas-encode --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^eas-encode\ [0-9]+\.[0-9]+\.[0-9]+ ]]
}

@test "unknown option is a usage error" {
	run eas-encode --bogus "$H"
	[ "$status" -eq 2 ]
}

@test "man page and completions name every option" {
	man=$(man_text "$EAS_TOP/man/eas-encode.1")
	for o in --rate --output --attention --attention-seconds --message --no-eom --org --event --loc --purge --issued --sender --verbose --help --version; do
		[[ "$man" == *"$o"* ]]
		grep -q -- "$o" "$EAS_TOP/completions/bash/eas-encode"
		grep -q -- "$o" "$EAS_TOP/completions/zsh/_eas-encode"
	done
	for v in 853+960 1050 none; do
		grep -q -- "$v" "$EAS_TOP/completions/bash/eas-encode"
		grep -q -- "$v" "$EAS_TOP/completions/zsh/_eas-encode"
	done
}
