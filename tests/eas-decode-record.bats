#!/usr/bin/env bats
# eas-decode-record.bats: eas-decode --record: the alert's audio from header to EOM in WAV or FLAC,
# the cap, overlapping alerts, unwritable and full directories, a killed decoder, and the fields
# reaching Redis and PostgreSQL through eas-publish.
load helpers
load lib-servers
bats_require_minimum_version 1.5.0

H='ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-'
NOW='2026-05-03T16:45:10Z'

setup() {
	D=$BATS_TEST_TMPDIR
	SRV_LIST="$D/srv.list"
	tmp=$(mktemp -d)
	mkdir -p "$tmp/rec"
}

teardown() {
	for f in "$tmp"/*.bgpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	for m in "$tmp"/mnt-*; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	srv_cleanup
	rm -rf "$tmp"
}

# seconds FILE RATE: the length of raw s16 FILE in seconds.
seconds() {
	echo "scale=6; $(stat -c %s "$1") / 2 / $2" | bc -l
}

# within A B TOL: |A - B| <= TOL
within() {
	[ "$(echo "d = $1 - $2; if (d < 0) d = -d; d <= $3" | bc -l)" -eq 1 ] || {
		echo "$1 is not within $3 of $2" >&2
		return 1
	}
}

# slice_of REC INPUT RATE FROM_S: the recording's samples are exactly the input's, from about
# FROM_S seconds on (within 50 ms: the decoder's estimate of the burst's start); prints where.
slice_of() {
	sox "$1" -t raw -e signed -b 16 -c 1 "$tmp/slice.raw"
		python3 - "$tmp/slice.raw" "$2" "$3" "$4" <<'PY'
import sys
rec = open(sys.argv[1], "rb").read()
inp = open(sys.argv[2], "rb").read()
rate, frm = int(sys.argv[3]), float(sys.argv[4])
want = int(round(frm * rate))
for d in sorted(range(-rate // 20, rate // 20 + 1), key=abs):
    o = 2 * (want + d)
    if o >= 0 and o + len(rec) <= len(inp) and inp[o:o + len(rec)] == rec:
        print(want + d)
        sys.exit(0)
sys.exit("the recording is not the input from %.3f s on" % frm)
PY
}

# live_alert: eas-decode --record reading a fifo that gets an alert without EOM and then nothing
# for 10 s; returns once the alert line is out (decoder pid in $tmp/dec.bgpid).
live_alert() {
	mkfifo "$tmp/fifo"
	eas-decode --status-interval 0 --record "$tmp/rec" <"$tmp/fifo" >"$tmp/out" 2>"$tmp/err" &
	echo $! >"$tmp/dec.bgpid"
	{
		eas-encode --no-eom "$H"
		sleep 10
	} >"$tmp/fifo" &
	echo $! >"$tmp/feed.bgpid"
	for _ in $(seq 100); do
		grep -q '"type":"alert"' "$tmp/out" && break
		sleep 0.1
	done
	grep -q '"type":"alert"' "$tmp/out"
}

@test "WAV of an alert with a spoken message: all of it, header to the end of the EOM" {
	command -v espeak-ng >/dev/null || skip "no espeak-ng"
	espeak-ng -w "$tmp/msg.wav" "This is a test of the Emergency Alert System. A tornado warning is in effect for Wood County until five fifteen."
	eas-encode -m "$tmp/msg.wav" "$H" >"$tmp/alert.s16"
	# 3 s before, 2 s after; the encoder ends with 1 s of silence after the last EOM burst
	{ zeros 3 22050; cat "$tmp/alert.s16"; zeros 2 22050; } >"$tmp/in.s16"
	eas-decode -s mon1 --now "$NOW" --status-interval 0 --record "$tmp/rec" "$tmp/in.s16" \
		>"$tmp/out" 2>"$tmp/err"
	cat "$tmp/err"
	jq -c 'select(.type == "alert")' "$tmp/out" >"$tmp/a"
	jq -c 'select(.type == "recording")' "$tmp/out" >"$tmp/r"
	[ "$(wc -l <"$tmp/r")" -eq 1 ]
	path=$(jq -r .recording "$tmp/a")
	id=$(jq -r .id "$tmp/a")
	# the name: receive time of the alert's first burst (to the second; the line's time is when
	# it was decided, a burst or two later), source, event, alert id
	when=$(date -u -d "@$(($(date -u -d "$NOW" +%s) + $(jq -r '.offset_s | floor' "$tmp/a")))" \
		+%Y%m%dT%H%M%SZ)
	[[ "$when" == 20260503T16451[23]Z ]]
	[ "$path" = "$tmp/rec/$when-mon1-TOR-$id.wav" ]
	jqt '.path == "'"$path"'" and .id == "'"$id"'" and .event == "TOR" and .ended_by == "eom" and .source == "mon1"' "$tmp/r"
	jqt 'has("error") | not' "$tmp/r"
	# the recording line comes after the eom line
	[ "$(jq -r .type "$tmp/out" | tr '\n' ' ')" = "alert attention eom recording " ]
	[ -f "$path" ]
	[ "$(ls -A "$tmp/rec")" = "$(basename "$path")" ]
	[ "$(soxi -r "$path")" -eq 22050 ] && [ "$(soxi -c "$path")" -eq 1 ] && [ "$(soxi -b "$path")" -eq 16 ]
	# 1 s of pre-roll, the whole alert up to the end of the EOM
	expected=$(echo "1 + $(seconds "$tmp/alert.s16" 22050) - 1" | bc -l)
	dur=$(jq -r .duration_s "$tmp/r")
	within "$dur" "$expected" 0.2
	within "$(soxi -D "$path")" "$dur" 0.001
	jqt '.offset_s > 1.95 and .offset_s < 2.05 and (.time | startswith("2026-05-03T16:45:1"))' "$tmp/r"
	# it is the input itself, sample for sample, from 2 s on: the message and the EOM are in it
	slice_of "$path" "$tmp/in.s16" 22050 2
	sox "$path" -t raw -e signed -b 16 - | eas-decode --status-interval 0 >"$tmp/again"
	[ "$(jq -r .type "$tmp/again" | tr '\n' ' ')" = "alert attention eom " ]
}

@test "FLAC at 8000 Hz" {
	eas-encode -r 8000 "$H" >"$tmp/alert.s16"
	{ zeros 2 8000; cat "$tmp/alert.s16"; } >"$tmp/in.s16"
	eas-decode -r 8000 --status-interval 0 --record "$tmp/rec" --record-format flac --record-pre 0.5 \
		"$tmp/in.s16" >"$tmp/out"
	jq -c 'select(.type == "recording")' "$tmp/out" >"$tmp/r"
	path=$(jq -r .path "$tmp/r")
	[[ "$path" == "$tmp/rec/"*"-TOR-"*.flac ]]
	[ "$(head -c 4 "$path")" = fLaC ] # the FLAC stream marker (no file(1) on a minimal Debian)
	[ "$(soxi -r "$path")" -eq 8000 ]
	jqt '.ended_by == "eom"' "$tmp/r"
	within "$(jq -r .duration_s "$tmp/r")" "$(echo "0.5 + $(seconds "$tmp/alert.s16" 8000) - 1" | bc -l)" 0.2
	slice_of "$path" "$tmp/in.s16" 8000 1.5
}

@test "a 5-minute alert without EOM is cut at the cap (240 s by default, and --record-max)" {
	sox -n -r 8000 -c 1 -b 16 "$tmp/msg.wav" synth 290 sine 440 vol 0.3
	eas-encode -r 8000 --no-eom -m "$tmp/msg.wav" "$H" >"$tmp/long.s16"
	within "$(seconds "$tmp/long.s16" 8000)" 300 5
	eas-decode -r 8000 --status-interval 0 --record "$tmp/rec" "$tmp/long.s16" >"$tmp/out"
	jq -c 'select(.type == "recording")' "$tmp/out" >"$tmp/r"
	jqt '.ended_by == "limit" and .duration_s == 240' "$tmp/r"
	[ "$(soxi -s "$(jq -r .path "$tmp/r")")" -eq $((240 * 8000)) ]
	# a small cap, the pre-roll counted in it
	rm -f "$tmp"/rec/*
	{ zeros 2 8000; head -c $((40 * 8000 * 2)) "$tmp/long.s16"; } >"$tmp/in.s16"
	eas-decode -r 8000 --status-interval 0 --record "$tmp/rec" --record-max 12.5 "$tmp/in.s16" |
		jq -c 'select(.type == "recording")' >"$tmp/r"
	jqt '.ended_by == "limit" and .duration_s == 12.5' "$tmp/r"
	slice_of "$(jq -r .path "$tmp/r")" "$tmp/in.s16" 8000 1
}

@test "input that ends before the EOM: ended_by \"end of input\"" {
	eas-encode --no-eom "$H" >"$tmp/in.s16"
	eas-decode --status-interval 0 --record "$tmp/rec" "$tmp/in.s16" |
		jq -c 'select(.type == "recording")' >"$tmp/r"
	jqt '.ended_by == "end of input"' "$tmp/r"
	within "$(jq -r .duration_s "$tmp/r")" "$(seconds "$tmp/in.s16" 22050)" 0.05
	[ -f "$(jq -r .path "$tmp/r")" ]
}

@test "two overlapping alerts: a file each, both ended by the one EOM" {
	eas-encode --no-eom 'ZCZC-WXR-SVR-039173+0030-1231645-KCLE/NWS-' >"$tmp/first.s16"
	eas-encode "$H" >"$tmp/second.s16"
	{ zeros 1 22050; cat "$tmp/first.s16"; zeros 4 22050; cat "$tmp/second.s16"; } >"$tmp/in.s16"
	eas-decode -s mon1 --status-interval 0 --record "$tmp/rec" --record-pre 0.5 "$tmp/in.s16" >"$tmp/out"
	[ "$(jq -r 'select(.type != "attention") | .type + ":" + (.event // "")' "$tmp/out" | tr '\n' ' ')" = \
		"alert:SVR alert:TOR eom: recording:SVR recording:TOR " ]
	jq -c 'select(.type == "recording")' "$tmp/out" >"$tmp/r"
	[ "$(jq -r .ended_by "$tmp/r" | sort -u)" = "eom" ]
	[ "$(ls "$tmp/rec" | wc -l)" -eq 2 ]
	# each alert line names its own file, and the recording lines say the same
	[ "$(jq -r 'select(.type == "alert") | .recording' "$tmp/out")" = "$(jq -r .path "$tmp/r")" ]
	# both end at the same sample: the first is longer by the distance between their starts
	svr=$(jq -r 'select(.event == "SVR") | .duration_s' "$tmp/r")
	tor=$(jq -r 'select(.event == "TOR") | .duration_s' "$tmp/r")
	within "$(echo "$svr - $tor" | bc -l)" "$(echo "$(seconds "$tmp/first.s16" 22050) + 4" | bc -l)" 0.05
	within "$tor" "$(echo "0.5 + $(seconds "$tmp/second.s16" 22050) - 1" | bc -l)" 0.2
}

@test "a fifth alert while four recordings are open: decoded, said, not recorded" {
	for e in TOR SVR FFW WSW SMW; do
		eas-encode -r 8000 --no-eom --attention none "ZCZC-WXR-$e-039173+0030-1231645-KCLE/NWS-"
	done >"$tmp/in.s16"
	run --separate-stderr eas-decode -r 8000 --status-interval 0 --record "$tmp/rec" "$tmp/in.s16"
	[ "$status" -eq 0 ]
	[ "$(jq -r 'select(.type == "alert") | .event' <<<"$output" | tr '\n' ' ')" = "TOR SVR FFW WSW SMW " ]
	[ "$(jq -r 'select(.type == "alert") | .recording == null' <<<"$output" | tr '\n' ' ')" = "false false false false true " ]
	[[ "$stderr" == *"cannot record alert "*": 4 recordings are open already"* ]]
	[ "$(jq -r 'select(.type == "recording") | .ended_by' <<<"$output" | sort | uniq -c | awk '{print $1}')" -eq 4 ]
	[ "$(ls "$tmp/rec" | wc -l)" -eq 4 ]
}

@test "an unwritable or missing DIR: decoding goes on, and stderr says why" {
	mkdir "$tmp/mnt-ro"
	mount -t tmpfs -o ro,size=64k tmpfs "$tmp/mnt-ro" || skip "cannot mount a tmpfs (not root?)"
	eas-encode "$H" >"$tmp/in.s16"
	for dir in "$tmp/mnt-ro" "$tmp/missing"; do
		run --separate-stderr eas-decode --status-interval 0 --record "$dir" "$tmp/in.s16"
		[ "$status" -eq 0 ]
		[ "$(jq -r .type <<<"$output" | tr '\n' ' ')" = "alert attention eom " ]
		[ "$(jq -r 'select(.type == "alert") | .recording' <<<"$output")" = null ]
		jq -se 'map(select(.type == "alert"))[0] | has("recording")' <<<"$output" >/dev/null
		[[ "$stderr" == *"--record $dir: "*"; alerts will not be recorded until it is fixed (decoding goes on)"* ]]
		[[ "$stderr" == *"cannot record alert "*": cannot create $dir/."*".wav.part: "* ]]
	done
	[[ "$stderr" == *"No such file or directory"* ]]
	run --separate-stderr eas-decode --status-interval 0 --record "$tmp/mnt-ro" "$tmp/in.s16"
	[[ "$stderr" == *"Read-only file system"* ]]
}

@test "a full disk (64 KiB tmpfs): what fits is kept, the error is said, decoding goes on" {
	mkdir "$tmp/mnt-full"
	mount -t tmpfs -o size=64k tmpfs "$tmp/mnt-full" || skip "cannot mount a tmpfs (not root?)"
	eas-encode "$H" >"$tmp/a1.s16"
	eas-encode 'ZCZC-WXR-SVR-039173+0030-1231645-KCLE/NWS-' >"$tmp/a2.s16"
	cat "$tmp/a1.s16" "$tmp/a2.s16" >"$tmp/in.s16"
	run --separate-stderr eas-decode --status-interval 0 --record "$tmp/mnt-full" "$tmp/in.s16"
	[ "$status" -eq 0 ]
	echo "$stderr"
	# both alerts and both EOMs are still decoded
	[ "$(jq -r 'select(.type != "attention") | .type' <<<"$output" | tr '\n' ' ')" = "alert recording eom alert eom " ]
	jq -c 'select(.type == "recording")' <<<"$output" >"$tmp/r"
	jqt '.ended_by == "error" and .error == "No space left on device" and .duration_s > 0.5 and .duration_s < 1.5' "$tmp/r"
	path=$(jq -r .path "$tmp/r")
	[ -f "$path" ]
	[ "$(soxi -r "$path")" -eq 22050 ]
	[[ "$stderr" == *"recording of alert "*" stopped: No space left on device; what was written is kept in $path (decoding goes on)"* ]]
	# the second alert finds no room to start
	[ "$(jq -r 'select(.type == "alert") | .recording' <<<"$output" | tail -n 1)" = null ]
	[[ "$stderr" == *"cannot record alert "*"No space left on device"* ]]
	# no temporary file is left
	[ -z "$(ls -A "$tmp/mnt-full" | grep '\.part$')" ]
}

@test "a killed decoder leaves no file under a final name" {
	live_alert
	sleep 0.5
	kill -KILL "$(cat "$tmp/dec.bgpid")"
	wait "$(cat "$tmp/dec.bgpid")" || true
	path=$(jq -r 'select(.type == "alert") | .recording' "$tmp/out")
	[ ! -e "$path" ]
	# only the hidden temporary file
	[ -z "$(ls "$tmp/rec")" ]
	[ "$(ls -A "$tmp/rec")" = ".$(basename "$path").part" ]
}

@test "SIGTERM closes the recording under its final name" {
	live_alert
	kill -TERM "$(cat "$tmp/dec.bgpid")"
	rc=0
	wait "$(cat "$tmp/dec.bgpid")" || rc=$?
	[ "$rc" -eq 0 ]
	jq -c 'select(.type == "recording")' "$tmp/out" >"$tmp/r"
	jqt '.ended_by == "end of input"' "$tmp/r"
	[ -f "$(jq -r .path "$tmp/r")" ]
	[ -z "$(ls -A "$tmp/rec" | grep '\.part$')" ]
}

@test "--record options: bad values and --record-* without --record are usage errors" {
	for args in "--record-format ogg" "--record-max 0" "--record-max 3601" "--record-pre -1" \
		"--record-pre 11" "--record-max abc"; do
		run --separate-stderr eas-decode --record "$tmp/rec" $args /dev/null
		[ "$status" -eq 2 ] || { echo "$args: $status"; false; }
		# one line that says what is wrong, then the usage hint, as every other option
		[ "${#stderr_lines[@]}" -eq 2 ] || { echo "$args: $stderr"; false; }
		[[ "${stderr_lines[0]}" == "eas-decode: invalid --record-"* ]]
		[ "${stderr_lines[1]}" = "Try 'eas-decode --help' for more information." ]
	done
	run --separate-stderr eas-decode --record-pre 2 /dev/null
	[ "$status" -eq 2 ]
	[[ "$stderr" == *"--record-pre needs --record DIR"* ]]
	run --separate-stderr eas-decode --record "$tmp/rec" --record-max 5 --record-pre 5 /dev/null
	[ "$status" -eq 2 ]
	run --separate-stderr eas-decode --record "" /dev/null
	[ "$status" -eq 2 ]
	[[ "${stderr_lines[0]}" == 'eas-decode: invalid --record "": a directory name, at most '*' bytes' ]]
	[ "${stderr_lines[1]}" = "Try 'eas-decode --help' for more information." ]
	# without --record, no recording field
	eas-encode "$H" | eas-decode --status-interval 0 | jq -se 'map(select(.type == "alert"))[0] | has("recording") | not'
}

@test "man page, --help and completions name the --record options and the recording line" {
	man=$(man_text "$EAS_TOP/man/eas-decode.1")
	help=$(eas-decode --help)
	for o in --record --record-format --record-max --record-pre; do
		[[ "$man" == *"$o"* ]]
		[[ "$help" == *"$o"* ]]
		grep -q -- "$o" "$EAS_TOP/completions/bash/eas-decode"
		grep -q -- "$o" "$EAS_TOP/completions/zsh/_eas-decode"
	done
	for f in recording path duration_s ended_by "end of input" kind ugc superseded_by; do
		[[ "$man" == *"$f"* ]] || { echo "man: no $f"; false; }
	done
	pman=$(man_text "$EAS_TOP/man/eas-publish.1")
	for f in recording recordings; do
		[[ "$pman" == *"$f"* ]] || { echo "eas-publish man: no $f"; false; }
	done
}

@test "the recording fields land in Redis and PostgreSQL through eas-publish" {
	[ -n "$(pg_bindir)" ] || skip "no PostgreSQL server binaries"
	R="$D/r"
	redis_start "$R"
	pg_start
	# a table made by an earlier eas-publish, without the recordings column
	pq "CREATE TABLE eas_alerts (id text PRIMARY KEY, sources text[] NOT NULL, received timestamptz NOT NULL, last_received timestamptz NOT NULL, issued timestamptz, expires timestamptz, event text, originator text, locations text[] NOT NULL DEFAULT '{}', raw text, line jsonb NOT NULL)"
	eas-encode "$H" >"$tmp/in.s16"
	eas-decode -s mon1 --now "$NOW" --status-interval 0 --record "$tmp/rec" "$tmp/in.s16" >"$tmp/out"
	path=$(jq -r 'select(.type == "recording") | .path' "$tmp/out")
	id=$(jq -r 'select(.type == "alert") | .id' "$tmp/out")
	dur=$(jq -r 'select(.type == "recording") | .duration_s' "$tmp/out")
	eas-publish -q -u "unix://$R/redis.sock" --pg "$PG_CONNINFO" --spool "$D/spool" <"$tmp/out"
	# Redis: the alert with its recording, then the recording line, in the stream
	rcli "$R" xrange eas:alerts - + >"$tmp/x"
	[ "$(rcli "$R" xlen eas:alerts)" -eq 3 ]
	[ "$(grep -cx recording "$tmp/x")" -eq 1 ]
	rcli "$R" --raw xrange eas:alerts - + | grep '^{' >"$tmp/xj"
	[ "$(jq -r .type "$tmp/xj" | tr '\n' ' ')" = "alert eom recording " ]
	jq -se 'map(select(.type == "alert"))[0] | .recording == "'"$path"'"' "$tmp/xj"
	jq -se 'map(select(.type == "recording"))[0] | .path == "'"$path"'" and .ended_by == "eom" and .id == "'"$id"'"' "$tmp/xj"
	# PostgreSQL: the alert's row holds the recording per source
	[ "$(pq "select recordings->'mon1'->>'path' from eas_alerts where id = '$id'")" = "$path" ]
	[ "$(pq "select recordings->'mon1'->>'ended_by' from eas_alerts where id = '$id'")" = eom ]
	within "$(pq "select recordings->'mon1'->>'duration_s' from eas_alerts where id = '$id'")" "$dur" 0.0005
	# replaying the same lines changes nothing; a second monitor's recording is added beside
	eas-publish -q -u "unix://$R/redis.sock" --pg "$PG_CONNINFO" --spool "$D/spool" <"$tmp/out"
	[ "$(rcli "$R" xlen eas:alerts)" -eq 3 ]
	sed 's/"source":"mon1"/"source":"mon2"/; s/-mon1-/-mon2-/g' "$tmp/out" |
		eas-publish -q -u "unix://$R/redis.sock" --pg "$PG_CONNINFO" --spool "$D/spool"
	[ "$(pq "select string_agg(k, ',' order by k) from eas_alerts, jsonb_object_keys(recordings) k where id = '$id'")" = "mon1,mon2" ]
	[ "$(pq "select recordings->'mon1'->>'ended_by' from eas_alerts where id = '$id'")" = eom ]
	[ "$(pq "select array_to_string(sources, ',') from eas_alerts where id = '$id'")" = "mon1,mon2" ]
}
