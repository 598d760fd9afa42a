#!/usr/bin/env bats
# edges.bats: the rules every tool shares, tried at their edges (issue 17): the issue year,
# SIGHUP, interrupted -o files, source names, --now, decimal numbers, closed pipes, terminals,
# unknown options, and messages in the tools' own words.
load helpers
bats_require_minimum_version 1.5.0

H='ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-'
HINT="for more information."

setup() {
	tmp=$BATS_TEST_TMPDIR
}

teardown() {
	# background writers and tools started by a test
	for f in "$tmp"/*.bgpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	true
}

# issued TIME HEADER: the "issued" of HEADER decoded with --now TIME.
issued() {
	eas-encode "$2" | eas-decode --now "$1" --status-interval 0 | jq -r 'select(.type == "alert") | .issued'
}

# ---- 2. the issue year ----

@test "issue year: a header heard after its day is dated back, never into the future" {
	# day 123 heard on 30 November 2026: 3 May 2026 (the nearest year would be 2027)
	[ "$(issued 2026-11-30T12:00:00Z "$H")" = 2026-05-03T16:45:00.000Z ]
	# heard the day before: two days of sender clock ahead are allowed
	[ "$(issued 2026-05-02T17:00:00Z "$H")" = 2026-05-03T16:45:00.000Z ]
	# heard three days before: last year's
	[ "$(issued 2026-04-30T16:00:00Z "$H")" = 2025-05-03T16:45:00.000Z ]
}

@test "issue year: New Year both ways" {
	# issued 31 December, heard 1 January: the year before
	[ "$(issued 2027-01-01T00:10:00Z 'ZCZC-WXR-TOR-039173+0030-3652359-KCLE/NWS-')" = 2026-12-31T23:59:00.000Z ]
	# a sender clock a little ahead across New Year: the year after
	[ "$(issued 2026-12-31T23:55:00Z 'ZCZC-WXR-TOR-039173+0030-0010005-KCLE/NWS-')" = 2027-01-01T00:05:00.000Z ]
}

# ---- 3. signals ----

@test "SIGHUP does not end eas-decode: it keeps decoding and exits 0" {
	mkfifo "$tmp/fifo"
	eas-decode --status-interval 0 <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" 3>&- &
	pid=$!
	echo "$pid" >"$tmp/dec.bgpid"
	exec 7>"$tmp/fifo"
	eas-encode --no-eom "$H" >&7
	for _ in $(seq 50); do
		[ -s "$tmp/out" ] && break
		sleep 0.1
	done
	[ -s "$tmp/out" ]
	kill -HUP "$pid"
	sleep 0.3
	kill -0 "$pid" # still running
	eas-encode 'ZCZC-WXR-SVR-039173+0030-1231645-KCLE/NWS-' >&7
	exec 7>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	[ "$(jq -r 'select(.type == "alert") | .event' "$tmp/out" | tr '\n' ' ')" = "TOR SVR " ]
	[ ! -s "$tmp/err" ]
}

@test "SIGHUP to a whole pipeline (kill -HUP -PGID) ends neither eas-encode nor eas-decode" {
	command -v setsid >/dev/null || skip "no setsid(1)"
	mkfifo "$tmp/msg"
	sox -n -r 8000 -c 1 -b 16 "$tmp/msg.wav" synth 3 sine 440
	# a pipeline in its own process group; eas-encode waits on its message
	# (the wrapper shell traps HUP so that it survives; its children get the default action)
	setsid bash -c "trap 'true' HUP; eas-encode -r 8000 -m '$tmp/msg' '$H' | eas-decode -r 8000 --status-interval 0 >'$tmp/out'; echo \"\${PIPESTATUS[*]}\" >'$tmp/rc'" 3>&- &
	echo $! >"$tmp/pipe.bgpid"
	exec 7>"$tmp/msg"
	head -c 20000 "$tmp/msg.wav" >&7
	sleep 0.5
	pgid=$(ps -o pgid= -p "$(cat "$tmp/pipe.bgpid")" | tr -d ' ')
	[ -n "$pgid" ]
	kill -HUP -- "-$pgid"
	sleep 0.3
	tail -c +20001 "$tmp/msg.wav" >&7
	exec 7>&-
	for _ in $(seq 100); do
		[ -s "$tmp/rc" ] && break
		sleep 0.1
	done
	[ "$(cat "$tmp/rc")" = "0 0" ]
	head -n 1 "$tmp/out" | jq -e '.type == "alert"' >/dev/null
	[ "$(jq -r 'select(.type == "eom") | .type' "$tmp/out")" = eom ]
}

# encode_half NAME: start eas-encode -o NAME in the background (pid in $pid), its message read
# from the fifo $tmp/msg (on fd 7 here), and give it the first 20000 bytes of $tmp/msg.wav.
encode_half() {
	eas-encode -r 8000 -m "$tmp/msg" -o "$tmp/$1" "$H" 2>"$tmp/err" 3>&- &
	pid=$!
	echo "$pid" >"$tmp/enc.bgpid"
	exec 7>"$tmp/msg"
	head -c 20000 "$tmp/msg.wav" >&7
	sleep 0.5
}

@test "eas-encode -o: SIGHUP is ignored and the file completes; SIGTERM leaves no file behind" {
	sox -n -r 8000 -c 1 -b 16 "$tmp/msg.wav" synth 3 sine 440
	mkfifo "$tmp/msg"
	# HUP while the message is being read: the file is still complete at the end
	encode_half a.wav
	[ ! -e "$tmp/a.wav" ] # not under its name until complete
	kill -HUP "$pid"
	sleep 0.2
	kill -0 "$pid"
	tail -c +20001 "$tmp/msg.wav" >&7
	exec 7>&-
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	eas-encode -r 8000 -m "$tmp/msg.wav" -o "$tmp/b.wav" "$H"
	[ "$(soxi -s "$tmp/a.wav")" -eq "$(soxi -s "$tmp/b.wav")" ]
	[ "$(ls -A "$tmp" | grep -c '^\.a\.wav\.')" -eq 0 ]
	# TERM: no a2.wav, no temporary file; an existing file of that name is left as it was
	cp "$tmp/b.wav" "$tmp/c.wav"
	for name in a2.wav c.wav; do
		encode_half "$name"
		kill -TERM "$pid"
		exec 7>&- # (libsndfile resumes a read that a signal interrupted: let it end)
		rc=0
		wait "$pid" || rc=$?
		[ "$rc" -eq 1 ]
		[[ "$(cat "$tmp/err")" == *"interrupted: $tmp/$name not written"* ]]
	done
	[ ! -e "$tmp/a2.wav" ]
	cmp "$tmp/b.wav" "$tmp/c.wav"
	[ "$(ls -A "$tmp" | grep -c '^\.[ac]2*\.wav\.')" -eq 0 ]
}

# ---- 4. one set of rules ----

@test "source names: one rule at option time in every tool that takes -s (exit 2, the rule said)" {
	long=$(printf 'x%.0s' $(seq 65))
	for bad in "" "$long" "$(printf 'a\tb')" "$(printf 'a\033b')"; do
		run --separate-stderr eas-decode -s "$bad" </dev/null
		[ "$status" -eq 2 ] || { echo "decode [$bad]: $status"; false; }
		[[ "$stderr" == *"1 to 64 printable characters"* ]]
		run --separate-stderr eas-capture -s "$bad" - </dev/null
		[ "$status" -eq 2 ] || { echo "capture [$bad]: $status"; false; }
		[[ "$stderr" == *"1 to 64 printable characters"* ]]
		run --separate-stderr eas-publish -s "$bad" </dev/null
		[ "$status" -eq 2 ] || { echo "publish [$bad]: $status"; false; }
		[[ "$stderr" == *"1 to 64 printable characters"* ]]
	done
	# 64 bytes and UTF-8 are fine
	ok=$(printf 'y%.0s' $(seq 64))
	eas-encode "$H" | eas-decode -s "$ok" --status-interval 0 | jq -e ".source == \"$ok\"" >/dev/null
	eas-encode "$H" | eas-decode -s 'KÉCL 1' --status-interval 0 | jq -e '.source == "KÉCL 1"' >/dev/null
}

@test "eas-publish counts the lines it skipped and says so at exit" {
	{
		echo 'not json'
		echo '{"type":"alert","id":"0000000000000001","source":"bad\u0001name"}'
		echo '{"type":"attention","tone":"853+960","source":"m"}'
	} >"$tmp/in"
	run --separate-stderr eas-publish -q -u "unix://$tmp/none.sock" --drain-timeout 0 <"$tmp/in"
	[ "$status" -eq 0 ]
	[[ "$stderr" == *"line 1: bad JSON"* ]]
	[[ "$stderr" == *"line 2: field \"source\" must be 1 to 64 printable characters"* ]]
	[[ "$stderr" == *"2 of 3 input lines were invalid and skipped (not stored)"* ]]
}

@test "eas-decode --now: RFC 3339 with offsets and fractions; out of range and bare dates refused" {
	t() { eas-encode "$H" | eas-decode --now "$1" --status-interval 0 | jq -r 'select(.type == "alert") | .time'; }
	a=$(t 2026-05-03T16:45:10Z)
	[ "$(t 2026-05-03T18:45:10+02:00)" = "$a" ]
	[ "$(t 2026-05-03T12:15:10.000-04:30)" = "$a" ]
	[ "$(t '2026-05-03 16:45:10.000000Z')" = "$a" ]
	[ "$(t 1777826710)" = "$a" ]
	for bad in 99999999999999 253402300800 2026-05-03 2026-05-03T16:45:10+24:00 \
		2026-05-03T16:45:10+0200 10000-01-01T00:00:00Z; do
		run --separate-stderr eas-decode --now "$bad" </dev/null
		[ "$status" -eq 2 ] || { echo "--now $bad: $status"; false; }
		[[ "$stderr" == *"invalid --now"*"RFC 3339"* ]]
		[[ "$stderr" == *"Try 'eas-decode --help' $HINT"* ]]
	done
}

@test "numbers are decimal integers only, in every tool" {
	for v in 1e5 0x5622 " 22050" "+22050" "22050 " 22050.0; do
		run --separate-stderr eas-decode -r "$v" </dev/null
		[ "$status" -eq 2 ] || { echo "decode -r [$v]: $status"; false; }
		run --separate-stderr eas-encode -r "$v" "$H"
		[ "$status" -eq 2 ] || { echo "encode -r [$v]: $status"; false; }
		run --separate-stderr eas-capture -r "$v" - </dev/null
		[ "$status" -eq 2 ] || { echo "capture -r [$v]: $status"; false; }
		run --separate-stderr eas-publish --maxlen "$v" </dev/null
		[ "$status" -eq 2 ] || { echo "publish --maxlen [$v]: $status"; false; }
		[[ "$stderr" == *"Try 'eas-publish --help' $HINT"* ]]
	done
	# the same rate message everywhere
	for t in eas-decode eas-capture; do
		run --separate-stderr "$t" -r 1e5 - </dev/null
		[[ "$stderr" == "$t: invalid rate \"1e5\": an integer from 8000 to 192000 Hz"* ]]
	done
	run --separate-stderr eas-encode -r 1e5 "$H"
	[[ "$stderr" == "eas-encode: invalid rate \"1e5\": an integer from 8000 to 192000 Hz"* ]]
}

@test "a closed pipe downstream: every tool stops quietly with status 0" {
	eas-encode -r 8000 "$H" >"$tmp/a.s16"
	run bash -c "eas-encode '$H' 2>'$tmp/e1' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "$output" = 0 ]
	run bash -c "cat '$tmp/a.s16' '$tmp/a.s16' '$tmp/a.s16' | eas-decode -r 8000 --status-interval 0.05 2>'$tmp/e2' | head -n 1 >/dev/null; echo \${PIPESTATUS[1]}"
	[ "$output" = 0 ]
	run bash -c "eas-capture --raw 8000 -r 8000 - <'$tmp/a.s16' 2>'$tmp/e3' | head -c 10 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "$output" = 0 ]
	for i in $(seq 3000); do echo '{"type":"attention","tone":"1050","source":"m"}'; done >"$tmp/lines"
	run bash -c "eas-publish -u 'unix://$tmp/none.sock' --drain-timeout 0 <'$tmp/lines' 2>'$tmp/e4' | head -n 1 >/dev/null; echo \${PIPESTATUS[0]}"
	[ "$output" = 0 ]
	for e in e1 e2 e3; do
		[ ! -s "$tmp/$e" ] || { echo "$e:"; cat "$tmp/$e"; false; }
	done
	# eas-publish warns that Redis is away (there is none here), nothing about stdout
	! grep -Ei 'pipe|stdout|write' "$tmp/e4"
}

@test "eas-capture refuses to write binary PCM to a terminal, as eas-encode does" {
	command -v script >/dev/null || skip "no script(1)"
	eas-encode -r 8000 "$H" >"$tmp/a.s16"
	run script -qec "$EAS_BIN/eas-capture --raw 8000 - <'$tmp/a.s16'" /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *"refusing to write raw PCM to a terminal"* ]]
	[ "${#output}" -lt 400 ] # a message, not PCM
}

@test "unknown options: the same hint in every tool, not the whole usage" {
	for t in eas-capture eas-decode eas-encode eas-publish eas-ctl; do
		run --separate-stderr "$t" --bogus </dev/null
		[ "$status" -eq 2 ] || { echo "$t: $status"; false; }
		[ -z "$output" ]
		[[ "$stderr" == *"unrecognized option '--bogus'"* ]]
		[ "${stderr_lines[-1]}" = "Try '$t --help' for more information." ]
		[[ "$stderr" != *"usage:"* ]]
	done
}

@test "eas-capture --raw input ending on an odd byte says so, as eas-decode does" {
	eas-encode -r 8000 "$H" >"$tmp/a.s16"
	printf 'x' >>"$tmp/a.s16"
	run --separate-stderr bash -c "eas-capture --raw 8000 -r 8000 - <'$tmp/a.s16' | wc -c"
	[ "$output" -eq $(($(stat -c %s "$tmp/a.s16") - 1)) ]
	[[ "$stderr" == *"-: input ended in the middle of a sample (odd byte count); last byte ignored"* ]]
	[[ "$stderr" != *"unknown or unsupported format"* ]]
}

@test "eas-capture: a host name that does not resolve is said so, not 'Input/output error'" {
	# .invalid never resolves (RFC 6761)
	run --separate-stderr timeout 30 eas-capture --no-reconnect http://eas-tools-test.invalid/a.mp3
	[ "$status" -eq 1 ]
	[[ "$stderr" == *"resolve"*"eas-tools-test.invalid"* ]] || { echo "$stderr"; false; }
	[[ "$stderr" != *"Input/output error"* ]]
}

@test "eas-encode says what is wrong with a message or output file in its own words" {
	run --separate-stderr eas-encode -m "$tmp/none.wav" "$H"
	[ "$status" -eq 1 ]
	[ "$stderr" = "eas-encode: cannot open message file $tmp/none.wav: No such file or directory" ]
	run --separate-stderr eas-encode -m "$tmp" "$H"
	[ "$status" -eq 1 ]
	[ "$stderr" = "eas-encode: message file $tmp is a directory, not a sound file" ]
	echo 'not audio' >"$tmp/text.wav"
	run --separate-stderr eas-encode -m "$tmp/text.wav" "$H"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "eas-encode: message file $tmp/text.wav is not a sound file"* ]]
	mkdir "$tmp/d.wav"
	run --separate-stderr eas-encode -o "$tmp/d.wav" "$H"
	[ "$status" -eq 1 ]
	[ "$stderr" = "eas-encode: cannot write $tmp/d.wav: it is a directory" ]
	run --separate-stderr eas-encode -o "$tmp/no/such/a.wav" "$H"
	[ "$status" -eq 1 ]
	[[ "$stderr" == "eas-encode: cannot create $tmp/no/such/a.wav"*"No such file or directory" ]]
	for s in "$stderr"; do
		[[ "$s" != *"System error"* && "$s" != *"Format not recognised"* ]]
	done
}
