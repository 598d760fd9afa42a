#!/usr/bin/env bats
# eas-station.bats: scripts/eas-station against a real redis-server: sources from a config file
# come up and publish, an alert played into one is in the stream, a killed eas-capture is back
# within the backoff, the backoff doubles to its cap and is back to 1 s after a healthy run,
# SIGTERM/SIGINT stop every child with the spools drained, the sources of eas:sources outlive a
# Redis outage, --one runs a single pipeline as eas-monitor@.service does.

load helpers
load lib-servers

STATION="$EAS_TOP/scripts/eas-station"

setup_file() {
	local d=$BATS_FILE_TMPDIR
	# noise.wav: 3 s of quiet noise; rwt.wav: noise, a Required Weekly Test, noise (looped)
	sox -n -r 22050 -c 1 -b 16 "$d/noise.wav" synth 3 pinknoise vol 0.05
	"$EAS_BIN/eas-encode" --org WXR --event RWT --loc 039173 --purge 0015 --sender KCLE/NWS \
		--attention none -o "$d/alert.wav"
	sox "$d/noise.wav" "$d/alert.wav" "$d/noise.wav" "$d/rwt.wav"
}

setup() {
	D=$BATS_TEST_TMPDIR
	F=$BATS_FILE_TMPDIR
	SRV_LIST="$D/srv.list"
	redis_start "$D/r"
	URL="unix://$D/r/redis.sock"
	export EAS_REDIS_URL=$URL
}

teardown() {
	# a station a failed test left running: SIGTERM to it, then SIGKILL to all it had started
	if [ -f "$D/station.pid" ]; then
		local pid kids
		pid=$(cat "$D/station.pid")
		kids=$(descendants "$pid")
		kill -TERM "$pid" 2>/dev/null && srv_wait 10 bash -c "! kill -0 $pid"
		for k in $kids; do kill -KILL "$k" 2>/dev/null; done
	fi
	srv_cleanup
}

# Every descendant of PID (children first found, then theirs), one a line.
descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# start_station CONFIG-TEXT [OPTIONS]: eas-station with that config in the background (with job
# control on, so that it does not start with SIGINT ignored, as a shell's background jobs do).
start_station() {
	printf '%s\n' "$1" >"$D/station.conf"
	shift
	set -m
	"$STATION" -c "$D/station.conf" -d "$D/state" "$@" 2>"$D/station.err" &
	echo $! >"$D/station.pid"
	set +m
}

heartbeat() { [ "$(rcli "$D/r" exists "eas:heartbeat:$1")" = 1 ]; }
alerts_from() { rcli "$D/r" --raw xrange eas:alerts - + | grep '^{' | jq -r "select(.source == \"$1\") | .event"; }
has_alert() { alerts_from "$1" | grep -qx "$2"; }
# The seconds (epoch) of SOURCE's newest status, from eas:metrics.
metrics_time() { rcli "$D/r" hget eas:metrics _heartbeat; }
gone() { ! kill -0 "$1" 2>/dev/null; }
all_gone() {
	local p
	for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done
	return 0
}

@test "eas-station: -h, --version, bad usage; every option in the man page and completions" {
	run "$STATION" -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--one NAME"* ]]
	run "$STATION" --version
	[ "$status" -eq 0 ]
	[[ "$output" == "eas-station "* ]]
	run "$STATION" --bogus
	[ "$status" -eq 2 ]
	run "$STATION" -c "$D/missing.conf"
	[ "$status" -eq 2 ]
	run "$STATION" --one '../x'
	[ "$status" -eq 2 ]
	local opt
	for opt in --config --redis --state-dir --one --verbose --help --version; do
		man_text "$EAS_TOP/man/eas-station.8" | grep -q -- "$opt"
		grep -q -- "$opt" "$EAS_TOP/completions/bash/eas-station"
		grep -q -- "$opt" "$EAS_TOP/completions/zsh/_eas-station"
		"$STATION" -h | grep -q -- "$opt"
	done
}

@test "eas-station: two sources publish heartbeats, an alert played into one is in the stream; SIGTERM stops all, spools drained, exit 0" {
	start_station "# two sources
demo1 $F/rwt.wav --loop --realtime
demo2  $F/noise.wav --loop --realtime   # quiet
@decode --status-interval 1
@ctl off"
	srv_wait 10 heartbeat demo1
	srv_wait 10 heartbeat demo2
	srv_wait 20 has_alert demo1 RWT
	[ -z "$(alerts_from demo2)" ]
	local pid kids
	pid=$(cat "$D/station.pid")
	kids=$(descendants "$pid")
	[ "$(echo "$kids" | wc -w)" -ge 8 ] # 2 supervisors, each with eas-capture, eas-decode, eas-publish
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	rm "$D/station.pid"
	cat "$D/station.err"
	[ "$rc" -eq 0 ]
	# shellcheck disable=SC2086
	all_gone $kids
	grep -q 'eas-station: stopped' "$D/station.err"
	# each eas-publish drained its spool (compacted to nothing) and said nothing remains
	[ ! -s "$D/state/spool/demo1/spool.log" ]
	[ ! -s "$D/state/spool/demo2/spool.log" ]
	! grep -q 'remain spooled' "$D/station.err"
}

@test "eas-station: SIGKILL of a pipeline's eas-capture: back and heard within the backoff; SIGINT stops all" {
	start_station "demo1 $F/noise.wav --loop --realtime
@decode --status-interval 1
@ctl off"
	srv_wait 10 heartbeat demo1
	local pid cap t0
	pid=$(cat "$D/station.pid")
	cap=$(descendants "$pid" | xargs ps -o pid=,comm= -p | awk '$2 == "eas-capture" { print $1 }')
	[ -n "$cap" ]
	kill -KILL "$cap"
	t0=$(date +%s)
	srv_wait 5 grep -q 'demo1: exited (status 137) after .* s; restarting in 1 s' "$D/station.err"
	# heard again: a status line newer than the kill, within 1 s of backoff and a start
	srv_wait 6 bash -c "[ \"\$(redis-cli -s $D/r/redis.sock hget eas:metrics _heartbeat)\" -gt $t0 ]"
	local cap2
	cap2=$(descendants "$pid" | xargs ps -o pid=,comm= -p | awk '$2 == "eas-capture" { print $1 }')
	[ -n "$cap2" ] && [ "$cap2" != "$cap" ]
	local kids
	kids=$(descendants "$pid")
	kill -INT "$pid"
	local rc=0
	wait "$pid" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
	# shellcheck disable=SC2086
	all_gone $kids
}

@test "eas-station: a failing pipeline is restarted after 1, 2, 4 s, logged with its name" {
	start_station "broken $D/no-such-file.wav
@ctl off"
	srv_wait 20 grep -Eq 'broken: exited \(status 1\) after [0-9]+ s; restarting in 4 s' "$D/station.err"
	cat "$D/station.err"
	grep -Eq 'broken: exited \(status 1\) after [0-9]+ s; restarting in 1 s' "$D/station.err"
	grep -Eq 'broken: exited \(status 1\) after [0-9]+ s; restarting in 2 s' "$D/station.err"
	# the order and the gaps: 1 s, then 2 s between the restarts
	[ "$(grep -c 'broken: exited' "$D/station.err")" -eq 3 ]
	kill -TERM "$(cat "$D/station.pid")"
	local rc=0
	wait "$(cat "$D/station.pid")" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
}

@test "eas-station: the backoff doubles up to EAS_STATION_BACKOFF_MAX and is back to 1 s after a run longer than EAS_STATION_HEALTHY" {
	export EAS_STATION_HEALTHY=2 EAS_STATION_BACKOFF_MAX=3
	start_station "flaky $D/flaky.wav --realtime
@ctl off"
	# no such file: it fails at once, again and again: 1, 2, 3, 3 s (the cap)
	srv_wait 20 bash -c "[ \$(grep -c 'flaky: exited .*; restarting in 3 s' $D/station.err) -ge 2 ]"
	# now it runs 3 s of audio (longer than healthy) and ends: the next wait is 1 s again
	cp "$F/noise.wav" "$D/flaky.tmp"
	mv "$D/flaky.tmp" "$D/flaky.wav"
	srv_wait 15 grep -Eq 'flaky: exited \(status [0-9]+\) after [3-9] s; restarting in 1 s' "$D/station.err"
	# and failing again after it, the backoff doubles from there
	rm "$D/flaky.wav"
	srv_wait 10 bash -c "grep 'flaky: exited' $D/station.err | tail -n 1 | grep -q 'restarting in 2 s'"
	cat "$D/station.err"
	local delays
	delays=$(grep 'flaky: exited' "$D/station.err" | sed -E 's/.*restarting in ([0-9]+) s$/\1/' | paste -s -d ' ')
	echo "delays: $delays"
	[[ "$delays" =~ ^1\ 2\ 3\ 3(\ 3)*(\ 1)+\ 2$ ]]
	# the short runs were short, the one before the 1 s reset was not
	grep -Eq 'flaky: exited \(status [0-9]+\) after [01] s; restarting in 3 s' "$D/station.err"
	kill -TERM "$(cat "$D/station.pid")"
	local rc=0
	wait "$(cat "$D/station.pid")" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
}

@test "eas-station: bad EAS_STATION_* timings are a usage error" {
	EAS_STATION_REREAD=0 run timeout 5 "$STATION" -c /dev/null
	[ "$status" -eq 2 ]
	[[ "$output" == *EAS_STATION_REREAD* ]]
	EAS_STATION_HEALTHY=1m run timeout 5 "$STATION" -c /dev/null
	[ "$status" -eq 2 ]
	EAS_STATION_BACKOFF_MAX=-5 run timeout 5 "$STATION" -c /dev/null
	[ "$status" -eq 2 ]
	local v
	for v in EAS_STATION_REREAD EAS_STATION_HEALTHY EAS_STATION_BACKOFF_MAX; do
		man_text "$EAS_TOP/man/eas-station.8" | grep -q "$v"
		"$STATION" -h | grep -q "$v"
	done
}

# The pids of the eas-capture, eas-decode and eas-publish under station PID, sorted, on one line.
pipeline_pids() {
	descendants "$1" | xargs ps -o pid=,comm= -p 2>/dev/null |
		awk '$2 ~ /^eas-(capture|decode|publish)$/ { print $1 }' | sort -n | paste -s -d ' '
}

@test "eas-station: Redis down at a re-read keeps the sources of eas:sources running (logged once); Redis back restarts nothing; a source gone from the hash is stopped" {
	command -v eas-ctl || skip "eas-ctl not built"
	# stored before the station runs (no listener: eas-ctl says so, and the config is kept)
	run eas-ctl source add hashed "$F/noise.wav" loop=true realtime=true
	eas-ctl --json source list | jq -e 'select(.name == "hashed")'
	export EAS_STATION_REREAD=1
	start_station "@decode --status-interval 1
@ctl off"
	srv_wait 10 heartbeat hashed
	local pid before
	pid=$(cat "$D/station.pid")
	before=$(pipeline_pids "$pid")
	echo "pipeline: $before"
	[ "$(echo "$before" | wc -w)" -eq 3 ]
	# Redis goes away (its data saved, to come back with it)
	rcli "$D/r" save
	redis_stop "$D/r"
	! redis_ping "$D/r" || false
	sleep 4 # three re-reads or more with Redis down
	cat "$D/station.err"
	[ "$(pipeline_pids "$pid")" = "$before" ]
	! grep -Eq 'hashed: (stopping|exited)' "$D/station.err" || false
	grep -q 'cannot read eas:sources (.*): keeping its last known sources: hashed$' "$D/station.err"
	[ "$(grep -c 'cannot read eas:sources' "$D/station.err")" -eq 1 ]
	# Redis back: the hash is read again, the pipeline is heard again, the same processes
	redis_start "$D/r"
	rcli "$D/r" del eas:heartbeat:hashed
	srv_wait 5 grep -q 'eas:sources read again: 1 source(s) in it' "$D/station.err"
	srv_wait 15 heartbeat hashed
	sleep 2 # more re-reads with Redis up
	cat "$D/station.err"
	[ "$(pipeline_pids "$pid")" = "$before" ]
	[ "$(grep -c 'hashed: starting' "$D/station.err")" -eq 1 ]
	! grep -Eq 'hashed: (stopping|exited)' "$D/station.err" || false
	[ "$(grep -c 'read again' "$D/station.err")" -eq 1 ]
	# gone from the hash (read without it): stopped, its processes gone
	run eas-ctl source delete hashed
	srv_wait 5 grep -q 'hashed: stopping' "$D/station.err"
	# shellcheck disable=SC2086
	srv_wait 5 all_gone $before
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
}

@test "eas-station --one: one source's pipeline from its file, as eas-monitor@ runs it; SIGTERM drains, exit 0" {
	mkdir -p "$D/sources"
	printf '# solo\n%s --loop --realtime\n@decode --status-interval 1\n' "$F/rwt.wav" >"$D/sources/solo.conf"
	EAS_SOURCES_DIR=$D/sources "$STATION" --one solo -d "$D/state" 2>"$D/station.err" &
	echo $! >"$D/station.pid"
	srv_wait 10 heartbeat solo
	srv_wait 20 has_alert solo RWT
	local pid kids rc=0
	pid=$(cat "$D/station.pid")
	kids=$(descendants "$pid")
	[ "$(echo "$kids" | wc -w)" -eq 3 ]
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
	# shellcheck disable=SC2086
	all_gone $kids
	[ ! -s "$D/state/spool/solo/spool.log" ]
}

# serve URL: ffmpeg serving the looped noise as an MP3 stream on loopback, one listener at a time,
# in a loop so that a listener that reconnects is served again; its pid in $D/serve.pid.
serve() {
	(
		trap 'kill $f 2>/dev/null; exit 0' TERM
		while :; do
			ffmpeg -nostdin -v error -re -stream_loop -1 -i "$F/rwt.wav" -c:a libmp3lame -b:a 64k \
				-f mp3 -listen 1 "$1" </dev/null 2>>"$D/serve.log" &
			f=$!
			wait $f || : # (bats runs this with set -e)
			sleep 0.2
		done
	) &
	echo $! >"$D/serve.pid"
}
capture_of() { # station pid, source name: the pid of that source's eas-capture, if any
	descendants "$1" | xargs ps -o pid=,args= -p 2>/dev/null | awk -v n="$2" '$2 ~ /eas-capture$/ && $4 == n { print $1 }'
}
listener_up() { eas-ctl -t 2 send ping >/dev/null 2>&1; }

@test "eas-station + eas-ctl: source add of a network stream heard within 10 s; source stop → eas-watch check CRITICAL for it; start, delete" {
	command -v eas-ctl && command -v eas-watch || skip "eas-ctl or eas-watch not built"
	start_station "demo1 $F/noise.wav --loop --realtime
@decode --status-interval 1"
	srv_wait 10 listener_up
	local port pid t0
	port=$(srv_free_port)
	serve "http://127.0.0.1:$port/demo3.mp3"
	pid=$(cat "$D/station.pid")
	t0=$(date +%s)
	run eas-ctl source add demo3 "http://127.0.0.1:$port/demo3.mp3"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"demo3: running"* ]]
	srv_wait 10 heartbeat demo3
	[ $(($(date +%s) - t0)) -le 10 ]
	[ -n "$(capture_of "$pid" demo3)" ]
	# stop: its pipeline goes, eas-watch check says CRITICAL for it once its heartbeat is stale
	run eas-ctl source stop demo3
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(capture_of "$pid" demo3)" ]
	[ -n "$(capture_of "$pid" demo1)" ]
	# (wait for CRITICAL itself: before the heartbeat is stale the check already says WARNING,
	# since demo3 never heard an RWT)
	srv_wait 10 bash -c 'eas-watch check --stale 3 >/dev/null; [ $? -eq 2 ]'
	run eas-watch check --stale 3
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL"*demo3* ]]
	grep -q 'demo3: stopping' "$D/station.err"
	# start: heard again (the check no longer CRITICAL: OK, or WARNING for the RWT not yet heard)
	run eas-ctl source start demo3
	echo "$output"
	[ "$status" -eq 0 ]
	srv_wait 20 bash -c 'eas-watch check --stale 3 -s demo3 >/dev/null; [ $? -lt 2 ]' || {
		cat "$D/station.err" "$D/serve.log"; eas-watch check --stale 3 -s demo3; date; false; }
	# delete: gone for good
	run eas-ctl source delete demo3
	[ "$status" -eq 0 ]
	[ -z "$(capture_of "$pid" demo3)" ]
	kill -TERM "$(cat "$D/serve.pid")"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	rm "$D/station.pid"
	[ "$rc" -eq 0 ]
}
