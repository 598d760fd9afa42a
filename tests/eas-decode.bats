#!/usr/bin/env bats
# eas-decode.bats: command-line tests of eas-decode: round trips with eas-encode, every JSON field,
# status lines, --raw, the real recordings, bad usage and bad input, pipes.
load helpers
bats_require_minimum_version 1.5.0

H='ZCZC-WXR-TOR-039173-039035+0030-1231645-KCLE/NWS-'
NOW='2026-05-03T16:45:10Z'
RATES='8000 11025 16000 22050 44100 48000'
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{3}Z$'

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

@test "round trip at every rate: every field of the alert" {
	for r in $RATES; do
		eas-encode -r "$r" "$H" | eas-decode -r "$r" -s mon1 --now "$NOW" --status-interval 0 >"$tmp/out"
		[ "$(wc -l <"$tmp/out")" -eq 3 ]
		jq -c 'select(.type == "alert")' "$tmp/out" >"$tmp/a"
		[ "$(wc -l <"$tmp/a")" -eq 1 ] || { echo "rate $r: $(cat "$tmp/out")"; false; }
		jqt '.type == "alert" and .raw == "'"$H"'"' "$tmp/a"
		jqt '.originator == "WXR" and .originator_name == "National Weather Service"' "$tmp/a"
		jqt '.event == "TOR" and .event_name == "Tornado Warning" and .significance == "warning"' "$tmp/a"
		jqt '.locations | length == 2' "$tmp/a"
		jqt '.locations[0] == {code: "039173", part: 0, part_name: "all", state: "OH", state_name: "Ohio", county: "Wood County"}' "$tmp/a"
		jqt '.locations[1] | .code == "039035" and .state == "OH" and .county == "Cuyahoga County"' "$tmp/a"
		jqt '.purge == "0030" and .purge_minutes == 30' "$tmp/a"
		jqt '.issued == "2026-05-03T16:45:00.000Z" and .expires == "2026-05-03T17:15:00.000Z"' "$tmp/a"
		jqt '.sender == "KCLE/NWS"' "$tmp/a"
		# two clean bursts decide it (the third only confirms)
		jqt '.bursts == 2 and .bit_errors == 0' "$tmp/a"
		jqt '.confidence | type == "number" and . >= 0 and . <= 1' "$tmp/a"
		jqt '.id | test("^[0-9a-f]{16}$")' "$tmp/a"
		jqt '.source == "mon1"' "$tmp/a"
		jqt '.time | test("'"$TIME_RE"'")' "$tmp/a"
		# with --now, time is --now plus the offset
		jqt '.offset_s | type == "number" and . >= 0 and . < 0.2' "$tmp/a"
		jqt '.time | startswith("2026-05-03T16:45:13.")' "$tmp/a"
		jq -r .id "$tmp/a" >>"$tmp/ids"
	done
	# the id is a hash of the header: the same at every rate
	[ "$(sort -u "$tmp/ids" | wc -l)" -eq 1 ]
}

@test "the id differs between headers" {
	a=$(eas-encode "$H" | eas-decode --status-interval 0 | jq -r 'select(.type == "alert") | .id')
	b=$(eas-encode "${H/TOR/SVR}" | eas-decode --status-interval 0 | jq -r 'select(.type == "alert") | .id')
	[ ${#a} -eq 16 ] && [ ${#b} -eq 16 ]
	[ "$a" != "$b" ]
}

@test "eom and attention lines" {
	for r in 8000 22050 48000; do
		eas-encode -r "$r" "$H" | eas-decode -r "$r" -s mon2 --now "$NOW" --status-interval 0 >"$tmp/out"
		jq -c 'select(.type == "eom")' "$tmp/out" >"$tmp/e"
		[ "$(wc -l <"$tmp/e")" -eq 1 ]
		jqt '.bursts == 3 and .source == "mon2"' "$tmp/e"
		jqt '.time | test("'"$TIME_RE"'")' "$tmp/e"
		# header 3 x (0.998 s + 1 s), attention 8 s, 1 s pause: the EOM at 14.995 s
		jqt '(.offset_s - 14.995 | fabs) < 0.03' "$tmp/e"
		jq -c 'select(.type == "attention")' "$tmp/out" >"$tmp/t"
		[ "$(wc -l <"$tmp/t")" -eq 1 ]
		jqt '.tone == "853+960" and (.duration_s - 8 | fabs) <= 0.5' "$tmp/t"
		jqt '(.offset_s - 5.995 | fabs) < 0.05 and .source == "mon2"' "$tmp/t"
		jqt '.time | test("'"$TIME_RE"'")' "$tmp/t"
		# lines come in the order of offset_s
		jq -s -e 'map(.offset_s) | . == sort' "$tmp/out" >/dev/null
	done
	eas-encode -r 16000 --attention 1050 --attention-seconds 10 "$H" |
		eas-decode -r 16000 --status-interval 0 | jq -c 'select(.type == "attention")' >"$tmp/t"
	[ "$(wc -l <"$tmp/t")" -eq 1 ]
	jqt '.tone == "1050" and (.duration_s - 10 | fabs) <= 0.5' "$tmp/t"
	eas-encode --attention none "$H" | eas-decode --status-interval 0 >"$tmp/out"
	[ "$(jq -c 'select(.type == "attention")' "$tmp/out" | wc -l)" -eq 0 ]
	[ "$(jq -c 'select(.type == "alert")' "$tmp/out" | wc -l)" -eq 1 ]
}

@test "offset_s and time follow the position in the input" {
	{
		head -c $((2 * 11025)) /dev/zero
		eas-encode -r 22050 "$H"
	} | eas-decode -r 22050 --now "$NOW" --status-interval 0 >"$tmp/out"
	jq -c 'select(.type == "alert")' "$tmp/out" >"$tmp/a"
	jqt '(.offset_s - 0.5 | fabs) < 0.02' "$tmp/a"
	# time: when the audio that decided it was received, just after the second burst
	# (0.5 s, two bursts of 1.014 s, a pause of 1 s: 3.528 s)
	jqt '.time | test("^2026-05-03T16:45:13[.]([45][0-9]{2})Z$")' "$tmp/a"
	jq -c 'select(.type == "eom")' "$tmp/out" >"$tmp/e"
	jqt '(.offset_s - 15.495 | fabs) < 0.02' "$tmp/e"
	jq -c 'select(.type == "attention")' "$tmp/out" >"$tmp/t"
	jqt '(.offset_s - 6.495 | fabs) < 0.05' "$tmp/t"
}

# shared/cases/eom-burst-count.sh: an end of message sent as 1, 2 or 3 NNNN bursts.
@test "an eom of 1, 2 or 3 NNNN bursts, then silence or noise: bursts is the number sent" {
	mod="$EAS_SHARED/cases/samemod.py"
	[ -r "$mod" ] || skip "no $mod (set EAS_SHARED)"
	h='ZCZC-WXR-FFW-029095+0300-1881530-KEAX/NWS-'
	for k in 1 2 3; do
		eom=""
		for _ in $(seq "$k"); do eom="$eom pre t:NNNN s:1"; done
		for tail in s:3 n:3; do
			# shellcheck disable=SC2086
			/usr/bin/python3 "$mod" s:0.5 pre t:$h s:1 pre t:$h s:1 pre t:$h s:1 a:8 n:4 $eom $tail >"$tmp/a.raw"
			eas-decode --status-interval 0 --now "$NOW" "$tmp/a.raw" >"$tmp/out"
			jq -c 'select(.type == "eom")' "$tmp/out" >"$tmp/e"
			[ "$(wc -l <"$tmp/e")" -eq 1 ]
			jqt ".bursts == $k" "$tmp/e"
			# 0.5 s, 3 x (0.891 s + 1 s), 8 s tone, 4 s noise: the first NNNN at 18.173 s
			jqt '(.offset_s - 18.173 | fabs) < 0.01' "$tmp/e"
		done
	done
}

@test "an eom whose first burst is lost, then at once a new header: eom with 2 bursts, then the alert" {
	mod="$EAS_SHARED/cases/samemod.py"
	[ -r "$mod" ] || skip "no $mod (set EAS_SHARED)"
	h='ZCZC-WXR-FFW-029095+0300-1881530-KEAX/NWS-'
	h2='ZCZC-CIV-EVI-039035-039093+0100-1231700-WXYZ/FMX-'
	/usr/bin/python3 "$mod" pre t:$h s:1 pre t:$h s:1 pre t:$h s:1 s:1.3 \
	    pre t:NNNN s:1 pre t:NNNN s:1 pre t:$h2 s:1 pre t:$h2 s:1 pre t:$h2 s:1 >"$tmp/a.raw"
	eas-decode --status-interval 0 --now "$NOW" "$tmp/a.raw" >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" -eq 3 ]
	jq -s -e '.[0].type == "alert" and .[1].type == "eom" and .[1].bursts == 2 and
	    .[2].type == "alert" and .[2].raw == "'"$h2"'"' "$tmp/out" >/dev/null
}

@test "two bursts that differ in one location digit, the third lost: no alert, said at -v" {
	mod="$EAS_SHARED/cases/samemod.py"
	[ -r "$mod" ] || skip "no $mod (set EAS_SHARED)"
	a='ZCZC-WXR-FFW-029095+0300-1881530-KEAX/NWS-'
	b='ZCZC-WXR-FFW-029094+0300-1881530-KEAX/NWS-'
	/usr/bin/python3 "$mod" s:0.5 pre t:$a s:1 pre t:$b s:3 >"$tmp/a.raw"
	run -0 --separate-stderr eas-decode -v --raw --status-interval 0 "$tmp/a.raw"
	[ -z "$output" ]
	[[ "$stderr" == *"not reported ("*"): ZCZC-WXR-FFW-02909"[45]"+0300-1881530-KEAX/NWS-"* ]]
	# the same digit in both: the alert
	/usr/bin/python3 "$mod" s:0.5 pre t:$a s:1 pre t:$a s:3 >"$tmp/a.raw"
	run -0 eas-decode --raw --status-interval 0 "$tmp/a.raw"
	[ "$output" = "$a" ]
}

@test "only headers all but certain, --strict too; what is held back is said at -v, and nothing wrong" {
	mod="$EAS_SHARED/cases/samemod.py"
	[ -r "$mod" ] || skip "no $mod (set EAS_SHARED)"
	h='ZCZC-WXR-FFW-029095+0300-1881530-KEAX/NWS-'
	held=0 heard=0
	# white noise from clean to past where the decoder fails: it prints the header or nothing,
	# with or without --strict, and at some level holds back a header and says so at -v; where
	# the bound was 0.1 without coherent bits (rms 0.71, -3 dB), it is still heard
	for db in clean -7 -5 -4 -3 -2.5 -2 -1.5 -1; do
		noise="--add-noise-db $db"
		[ "$db" = clean ] && noise=
		# shellcheck disable=SC2086
		/usr/bin/python3 "$mod" $noise s:0.5 pre t:$h s:1 pre t:$h s:1 pre t:$h s:2 >"$tmp/a.raw"
		eas-decode -v --raw --status-interval 0 "$tmp/a.raw" >"$tmp/default" 2>"$tmp/log"
		eas-decode --strict --raw --status-interval 0 "$tmp/a.raw" >"$tmp/strict"
		for f in default strict; do
			[ ! -s "$tmp/$f" ] || [ "$(cat "$tmp/$f")" = "$h" ]
		done
		if [ "$db" = clean ] || [ "$db" = -3 ]; then
			[ "$(cat "$tmp/default")" = "$h" ]
			heard=$((heard + 1))
		elif [ ! -s "$tmp/default" ] && grep -q "not reported (.*not all but certain): $h" "$tmp/log"; then
			held=$((held + 1))
		fi
	done
	[ "$heard" -eq 2 ]
	[ "$held" -ge 1 ]
}

@test "a pure 1050 Hz tone at 48000 Hz is the NWS tone" {
	command -v sox >/dev/null || skip "no sox"
	for r in 22050 44100 48000; do
		sox -n -r "$r" -b 16 -e signed -c 1 -t raw - synth 10 sine 1050 vol 0.5 pad 1 2 |
			eas-decode -r "$r" --status-interval 0 >"$tmp/t"
		[ "$(wc -l <"$tmp/t")" -eq 1 ]
		jqt '(.duration_s - 10 | fabs) <= 0.5' "$tmp/t"
		jqt '.tone == "1050"' "$tmp/t"
	done
}

@test "issued and expires across New Year" {
	h='ZCZC-WXR-TOR-039035+0030-3652350-KCLE/NWS-'
	eas-encode "$h" | eas-decode --now 2027-01-01T00:10:00Z --status-interval 0 |
		jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.raw == "'"$h"'"' "$tmp/a"
	jqt '.issued == "2026-12-31T23:50:00.000Z" and .expires == "2027-01-01T00:20:00.000Z"' "$tmp/a"
	jqt '.time | startswith("2027-01-01T00:10:02.")' "$tmp/a"
	# and the other way: issued 1 January, heard late on 31 December (clock skew)
	h='ZCZC-WXR-TOR-039035+0100-0010005-KCLE/NWS-'
	eas-encode "$h" | eas-decode --now 2026-12-31T23:59:00Z --status-interval 0 |
		jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.issued == "2027-01-01T00:05:00.000Z" and .expires == "2027-01-01T01:05:00.000Z"' "$tmp/a"
	# epoch seconds for --now
	eas-encode "$H" | eas-decode --now 1777826710 --status-interval 0 |
		jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.issued == "2026-05-03T16:45:00.000Z" and (.time | startswith("2026-05-03T16:45:13."))' "$tmp/a"
}

@test "without --now, time is the wall clock" {
	t0=$(date -u +%s)
	eas-encode "$H" | eas-decode --status-interval 0 | jq -c 'select(.type == "alert")' >"$tmp/a"
	t1=$(date -u +%s)
	jqt '.time | test("'"$TIME_RE"'")' "$tmp/a"
	t=$(jq -r '.time | sub("\\.[0-9]+Z$"; "Z") | fromdateiso8601' "$tmp/a")
	# the receive time of the deciding audio: the wall clock less the audio read after it, which
	# from a pipe faster than real time is up to a pipe's worth (64 KiB, 1.5 s at 22050 Hz)
	[ "$t" -ge "$((t0 - 2))" ] && [ "$t" -le "$((t1 + 1))" ]
}

@test "source defaults to the host name" {
	run bash -c "eas-encode '$H' | eas-decode --status-interval 0 | jq -r 'select(.type == \"alert\") | .source'"
	[ "$output" = "$(hostname)" ]
}

@test "a 31-location header" {
	locs=$(for i in $(seq 1 31); do printf -- '-039%03d' $((i * 2 - 1)); done)
	h="ZCZC-CIV-EVI${locs}+0600-0010000-WXYZ/FMX-"
	eas-encode -r 11025 "$h" | eas-decode -r 11025 --now 2026-01-01T00:01:00Z --status-interval 0 |
		jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.raw == "'"$h"'" and (.locations | length) == 31' "$tmp/a"
	jqt '.locations[0].county == "Adams County" and .locations[30].code == "039061"' "$tmp/a"
	jqt '.event_name == "Evacuation Immediate" and .originator_name != null' "$tmp/a"
	jqt '.purge_minutes == 360 and .issued == "2026-01-01T00:00:00.000Z" and .expires == "2026-01-01T06:00:00.000Z"' "$tmp/a"
}

@test "whole-state and part-of-county locations" {
	h='ZCZC-WXR-SVR-039000-139035+0045-1231645-KCLE/NWS-'
	eas-encode "$h" | eas-decode --status-interval 0 | jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.locations[0] | .code == "039000" and .part == 0 and .county == "All of Ohio"' "$tmp/a"
	jqt '.locations[1] | .code == "139035" and .part == 1 and .part_name == "northwest" and .county == "Cuyahoga County"' "$tmp/a"
	jqt '.significance == "warning" and .purge_minutes == 45' "$tmp/a"
}

@test "--raw prints exactly the header then NNNN" {
	for r in 8000 44100; do
		run --separate-stderr bash -c "eas-encode -r $r '$H' | eas-decode -r $r --raw"
		[ "$status" -eq 0 ]
		[ "$output" = "$H"$'\n'"NNNN" ]
		[ -z "$stderr" ]
	done
	# no status lines in --raw mode even when asked for
	run bash -c "eas-encode '$H' | eas-decode --raw --status-interval 1"
	[ "$output" = "$H"$'\n'"NNNN" ]
}

@test "every line is valid JSON with a type, one object a line" {
	eas-encode -r 22050 "$H" | eas-decode -r 22050 --status-interval 1 >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" -gt 10 ]
	while IFS= read -r line; do
		printf '%s' "$line" | jq -e -c 'type == "object" and (.type | IN("alert", "eom", "attention", "status"))' >/dev/null
	done <"$tmp/out"
	[ "$(jq -c . "$tmp/out" | wc -l)" -eq "$(wc -l <"$tmp/out")" ]
}

@test "status lines: count, fields, levels" {
	# 12 s at 8000 Hz, every 5 s: at 5 s, 10 s, and the rest (2 s) at the end
	zeros 12 8000 | eas-decode -r 8000 -s st --now "$NOW" --status-interval 5 >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" -eq 3 ]
	jq -s -e 'map(.type) == ["status", "status", "status"]' "$tmp/out" >/dev/null
	jq -s -e 'map(.samples) == [40000, 80000, 96000]' "$tmp/out" >/dev/null
	jq -s -e 'map(.offset_s) == [5, 10, 12]' "$tmp/out" >/dev/null
	jq -s -e 'map(.time) == ["2026-05-03T16:45:15.000Z", "2026-05-03T16:45:20.000Z", "2026-05-03T16:45:22.000Z"]' "$tmp/out" >/dev/null
	jq -s -e 'all(.source == "st" and (.rms_dbfs | type) == "number" and (.peak_dbfs | type) == "number" and .rms_dbfs == -120 and .clipping == false and .clipped_samples == 0)' "$tmp/out" >/dev/null
	# every 3 s: exactly 4, none left over
	[ "$(zeros 12 8000 | eas-decode -r 8000 --status-interval 3 | wc -l)" -eq 4 ]
	# 0 turns them off
	[ "$(zeros 12 8000 | eas-decode -r 8000 --status-interval 0 | wc -l)" -eq 0 ]
	# default every 5 s
	[ "$(zeros 21 16000 | eas-decode -r 16000 | jq -c 'select(.type == "status")' | wc -l)" -eq 5 ]
	# the FSK peaks at -6 dBFS
	eas-encode "$H" | eas-decode --status-interval 2 | jq -c 'select(.type == "status")' | head -n 1 >"$tmp/s"
	jqt '(.peak_dbfs + 6 | fabs) < 0.5 and .rms_dbfs < .peak_dbfs and .rms_dbfs > -20 and .silence == false' "$tmp/s"
}

@test "silence: true after --silence-duration of digital silence" {
	zeros 12 8000 | eas-decode -r 8000 --status-interval 2 --silence-duration 7 >"$tmp/out"
	jq -s -e 'map(.silence) == [false, false, false, true, true, true]' "$tmp/out" >/dev/null
	# default 10 s
	zeros 12 8000 | eas-decode -r 8000 --status-interval 2 >"$tmp/out"
	jq -s -e 'map(.silence) == [false, false, false, false, true, true]' "$tmp/out" >/dev/null
	# a tone at -6 dBFS is not silence, unless the threshold is above it
	eas-encode --attention 1050 --attention-seconds 20 "$H" |
		eas-decode --status-interval 2 --silence-duration 2 | jq -c 'select(.type == "status")' >"$tmp/out"
	jq -s -e 'all(.silence == false)' "$tmp/out" >/dev/null
	eas-encode --attention 1050 --attention-seconds 20 "$H" |
		eas-decode --status-interval 2 --silence-duration 2 --silence-threshold 0 |
		jq -c 'select(.type == "status")' >"$tmp/out"
	jq -s -e 'any(.silence == true)' "$tmp/out" >/dev/null
}

@test "clipping: true on a full-scale square wave" {
	python3 -c '
import sys, struct
sq = [32767] * 10 + [-32768] * 10
sys.stdout.buffer.write(struct.pack("<%dh" % (len(sq) * 800), *(sq * 800)))
' >"$tmp/sq"
	[ "$(wc -c <"$tmp/sq")" -eq 32000 ]
	eas-decode -r 8000 --status-interval 1 "$tmp/sq" >"$tmp/out"
	[ "$(wc -l <"$tmp/out")" -eq 2 ]
	jq -s -e 'all(.clipping == true and .clipped_samples == 8000 and .peak_dbfs == 0 and .rms_dbfs > -0.1)' "$tmp/out" >/dev/null
	# the same square wave at half scale does not clip
	python3 -c '
import sys, struct
sq = [16384] * 10 + [-16384] * 10
sys.stdout.buffer.write(struct.pack("<%dh" % (len(sq) * 800), *(sq * 800)))
' | eas-decode -r 8000 --status-interval 1 >"$tmp/out"
	jq -s -e 'all(.clipping == false and .clipped_samples == 0)' "$tmp/out" >/dev/null
}

@test "FILE argument and - read the same as stdin" {
	eas-encode -r 16000 "$H" >"$tmp/in.s16"
	a=$(eas-decode -r 16000 --now "$NOW" <"$tmp/in.s16")
	b=$(eas-decode -r 16000 --now "$NOW" "$tmp/in.s16")
	c=$(eas-decode -r 16000 --now "$NOW" - <"$tmp/in.s16")
	[ -n "$a" ] && [ "$a" = "$b" ] && [ "$a" = "$c" ]
	[[ "$a" == *'"type":"alert"'* ]]
}

@test "output is flushed after every line" {
	# the writer keeps the pipe open 4 s after the alert; the line must come before that
	run bash -c "{ eas-encode --no-eom '$H'; sleep 4; } | eas-decode --status-interval 0 | { IFS= read -r -t 3 l && printf '%s\n' \"\$l\"; }"
	[[ "$output" == '{"type":"alert"'* ]]
}

@test "real recordings: exactly the expected headers" {
	truth="$EAS_SHARED/samples/real/truth.jsonl"
	[ -r "$truth" ] || skip "no real samples: $truth is missing (set EAS_SHARED)"
	n=0
	while IFS= read -r t; do
		f=$(jq -r .file <<<"$t")
		r=$(jq -r .rate <<<"$t")
		want=$(jq -r '.headers[]' <<<"$t")
		got=$(eas-decode -r "$r" --raw "$EAS_SHARED/samples/real/$f" | grep '^ZCZC' || true)
		[ "$got" = "$want" ] || {
			echo "$f at $r Hz: want [$want], got [$got]"
			false
		}
		n=$((n + 1))
	done <"$truth"
	[ "$n" -ge 10 ]
}

@test "real recordings: day 000 gives null issued and expires" {
	f="$EAS_SHARED/samples/real/sameold-long_message.22050.s16"
	[ -r "$f" ] || skip "no real samples: $f is missing (set EAS_SHARED)"
	eas-decode -r 22050 --status-interval 0 "$f" | jq -c 'select(.type == "alert")' >"$tmp/a"
	jqt '.raw | contains("-0001122-")' "$tmp/a"
	jqt '.issued == null and .expires == null and (.locations | length) == 31' "$tmp/a"
}

@test "rate out of range or not an integer: exit 2, the rate named" {
	for r in 7999 192001 abc "" 22050.5; do
		run --separate-stderr eas-decode -r "$r" </dev/null
		[ "$status" -eq 2 ]
		[ -z "$output" ]
		[[ "$stderr" == *"rate"*"\"$r\""* ]] || { echo "rate [$r]: $stderr"; false; }
	done
	run --separate-stderr eas-decode --rate=192000 </dev/null
	[ "$status" -eq 0 ]
}

@test "other bad option values: exit 2" {
	for a in "--now yesterday" "--now 2026-13-01T00:00:00Z" "--status-interval -1" "--status-interval x" \
		"--silence-threshold 3" "--silence-threshold -121" "--silence-duration -1"; do
		# shellcheck disable=SC2086
		run --separate-stderr eas-decode $a </dev/null
		[ "$status" -eq 2 ] || { echo "$a: status $status"; false; }
		[[ "$stderr" == *"invalid ${a%% *}"* ]]
	done
	run --separate-stderr eas-decode -s '' </dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"source"* ]]
}

@test "unknown option: exit 2, the --help hint on stderr" {
	run --separate-stderr eas-decode --bogus </dev/null
	[ "$status" -eq 2 ]
	[ -z "$output" ]
	[[ "$stderr" == *"Try 'eas-decode --help' for more information."* ]]
}

@test "two FILE arguments: exit 2" {
	touch "$tmp/a" "$tmp/b"
	run --separate-stderr eas-decode "$tmp/a" "$tmp/b"
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"too many arguments"* ]]
}

@test "a file that does not exist: exit 1, cannot open" {
	run --separate-stderr eas-decode "$tmp/none.s16"
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	[[ "$stderr" == *"cannot open $tmp/none.s16"* ]]
}

@test "empty input: exit 0, no lines" {
	run --separate-stderr eas-decode </dev/null
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[[ "$stderr" == *"empty input"* ]]
}

@test "odd byte count: exit 1, the lines before it still printed" {
	eas-encode "$H" >"$tmp/in.s16"
	printf 'x' >>"$tmp/in.s16"
	run --separate-stderr eas-decode --raw "$tmp/in.s16"
	[ "$status" -eq 1 ]
	[ "$output" = "$H"$'\n'"NNNN" ]
	[[ "$stderr" == *"odd byte"* ]]
	run --separate-stderr bash -c "printf abc | eas-decode"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"odd byte"* ]]
}

@test "random bytes: exit 0, no alert" {
	head -c 200000 /dev/urandom >"$tmp/junk"
	for r in 8000 22050 48000; do
		run --separate-stderr eas-decode -r "$r" "$tmp/junk"
		[ "$status" -eq 0 ]
		[[ "$output" != *'"type":"alert"'* ]]
		[[ "$output" != *'"type":"eom"'* ]]
		[ "$(printf '%s\n' "$output" | jq -c 'select(.type == "status")' | wc -l)" -ge 1 ]
	done
}

@test "-h prints usage to stdout and exits 0" {
	run --separate-stderr eas-decode -h
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "usage: eas-decode"* ]]
	[ -z "$stderr" ]
	for o in --rate --source --raw --now --status-interval --silence-threshold --silence-duration --verbose --help --version; do
		[[ "$output" == *"$o"* ]]
	done
	run --separate-stderr eas-decode --help
	[ "$status" -eq 0 ]
	[[ "$output" == "usage: eas-decode"* ]]
}

@test "--version" {
	run --separate-stderr eas-decode --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^eas-decode\ [0-9]+\.[0-9]+\.[0-9]+ ]]
}

@test "a closed pipe downstream ends it without an error message, status 0" {
	zeros 60 8000 >"$tmp/big"
	run bash -c "eas-decode -r 8000 --status-interval 0.1 '$tmp/big' 2>'$tmp/err' | head -n 1; echo \"rc \${PIPESTATUS[0]}\""
	[[ "${lines[0]}" == '{"type":"status"'* ]]
	[ "${lines[1]}" = "rc 0" ]
	[ ! -s "$tmp/err" ] || { cat "$tmp/err"; false; }
}

@test "a write error is reported with status 1" {
	[ -w /dev/full ] || skip "no /dev/full"
	run --separate-stderr bash -c "eas-encode '$H' | eas-decode >/dev/full"
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"write error"* ]]
}

@test "SIGTERM ends it cleanly with the lines so far" {
	mkfifo "$tmp/fifo"
	eas-decode --status-interval 0 <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
	pid=$!
	{
		eas-encode --no-eom "$H"
		sleep 5
	} >"$tmp/fifo" &
	wpid=$!
	for _ in $(seq 50); do
		[ -s "$tmp/out" ] && break
		sleep 0.1
	done
	kill -TERM "$pid"
	rc=0
	wait "$pid" || rc=$?
	kill "$wpid" 2>/dev/null || true
	wait "$wpid" 2>/dev/null || true
	[ "$rc" -eq 0 ]
	head -n 1 "$tmp/out" >"$tmp/a"
	jqt '.type == "alert"' "$tmp/a"
	[ ! -s "$tmp/err" ]
}

@test "man page and completions name every option" {
	man=$(man_text "$EAS_TOP/man/eas-decode.1")
	for o in --rate --source --raw --now --status-interval --silence-threshold --silence-duration --verbose --help --version; do
		[[ "$man" == *"$o"* ]]
		grep -q -- "$o" "$EAS_TOP/completions/bash/eas-decode"
		grep -q -- "$o" "$EAS_TOP/completions/zsh/_eas-decode"
	done
	for f in raw originator_name event_name significance part_name state_name county purge_minutes \
		issued expires sender bursts bit_errors confidence offset_s duration_s rms_dbfs peak_dbfs \
		silence clipping clipped_samples; do
		[[ "$man" == *"$f"* ]] || { echo "man: no $f"; false; }
	done
	for r in 8000 11025 16000 22050 44100 48000; do
		grep -q -- "$r" "$EAS_TOP/completions/bash/eas-decode"
		grep -q -- "$r" "$EAS_TOP/completions/zsh/_eas-decode"
	done
}
