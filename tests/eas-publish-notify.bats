#!/usr/bin/env bats
# eas-publish-notify.bats: eas-publish's sd_notify messages, read from a notify socket the test
# binds (as systemd would for a Type=notify unit): READY=1 once connected or spooling, WATCHDOG=1
# while the decoder's status lines flow and none once the upstream stalls, STOPPING=1 at the end.

load helpers
load lib-servers

setup() {
	D=$BATS_TEST_TMPDIR
	SRV_LIST="$D/srv.list"
	python3 "$BATS_TEST_DIRNAME/notify-reader.py" "$D/notify.sock" "$D/notify.log" &
	echo $! >"$D/reader.pid"
	srv_wait 5 test -S "$D/notify.sock"
	# 4 s of quiet noise, played at real time
	sox -n -r 22050 -c 1 -b 16 "$D/noise.wav" synth 4 pinknoise vol 0.05
}

teardown() {
	kill "$(cat "$D/reader.pid")" 2>/dev/null
	srv_cleanup
}

# The monotonic ms of each notify line matching REGEX.
times_of() { awk -F'\t' -v re="$1" '$2 ~ re { print $1 }' "$D/notify.log"; }

# 4 s of audio then a 4 s stall with the pipe still open, then the end of input.
stalling_pipeline() {
	{
		eas-capture --realtime "$D/noise.wav"
		sleep 4
	} | eas-decode -s n1 --status-interval 1 |
		NOTIFY_SOCKET="$D/notify.sock" eas-publish -q -u "$1" --drain-timeout 1
}

@test "notify: READY once connected, WATCHDOG while status lines flow, none when they stall, STOPPING" {
	redis_start "$D/r"
	local t0
	t0=$(python3 -c 'import time; print(int(time.monotonic() * 1000))')
	run stalling_pipeline "unix://$D/r/redis.sock"
	[ "$status" -eq 0 ]
	cat "$D/notify.log"
	# READY=1 first, with the connection as its status
	[ "$(head -n 1 "$D/notify.log" | cut -f2)" = READY=1 ]
	grep -qx $'[0-9]*\tSTATUS=connected to Redis' "$D/notify.log"
	[ "$(grep -c $'\tREADY=1$' "$D/notify.log")" -eq 1 ]
	# pings while the audio flowed (status lines a second apart), at most two a second
	local pings stop flowing=0
	mapfile -t pings < <(times_of '^WATCHDOG=1$')
	stop=$(times_of '^STOPPING=1$')
	[ -n "$stop" ]
	for ((i = 0; i < ${#pings[@]}; i++)); do
		[ "$i" -eq 0 ] || [ $((pings[i] - pings[i - 1])) -ge 490 ]
		[ $((pings[i] - t0)) -lt 5000 ] && flowing=$((flowing + 1))
	done
	[ "$flowing" -ge 3 ]
	# none during the stall: from 5.5 s after the start until the end of input (when the
	# decoder's closing status line may feed it once more, right before STOPPING=1)
	for p in "${pings[@]}"; do
		[ $((p - t0)) -lt 5500 ] || [ $((stop - p)) -lt 500 ]
	done
	[ $((stop - t0)) -ge 8000 ]
}

@test "notify: READY=1 while spooling when Redis is unreachable" {
	run bash -c "echo '{\"type\":\"status\",\"source\":\"n1\",\"time\":\"2026-05-03T16:45:10.123Z\"}' |
		NOTIFY_SOCKET='$D/notify.sock' eas-publish -q -u unix://$D/nowhere.sock --drain-timeout 0.2"
	cat "$D/notify.log"
	[ "$(head -n 1 "$D/notify.log" | cut -f2)" = READY=1 ]
	grep -qx $'[0-9]*\tSTATUS=spooling, Redis unreachable' "$D/notify.log"
	grep -q $'\tWATCHDOG=1$' "$D/notify.log"
	grep -q $'\tSTOPPING=1$' "$D/notify.log"
}

@test "notify: nothing sent and nothing changed without NOTIFY_SOCKET" {
	redis_start "$D/r"
	run bash -c "echo '{\"type\":\"status\",\"source\":\"n1\",\"time\":\"2026-05-03T16:45:10.123Z\"}' |
		env -u NOTIFY_SOCKET eas-publish -q -u unix://$D/r/redis.sock"
	[ "$status" -eq 0 ]
	[ "$(rcli "$D/r" exists eas:heartbeat:n1)" = 1 ]
	sleep 0.2
	[ ! -s "$D/notify.log" ]
}
