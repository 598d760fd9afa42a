#!/usr/bin/env bats
# run-station.bats: `make run`, the live station, with a time limit: the dashboard answers 200 with
# both demo sources live, every part is reported up and it exits 0; and a Ctrl-C (SIGINT to its
# process group) leaves no process behind.

load helpers
load lib-servers

setup() {
	D=$BATS_TEST_TMPDIR
	PORT=$(srv_free_port)
}

teardown() {
	if [ -f "$D/run.pid" ]; then
		kill -TERM -- -"$(cat "$D/run.pid")" 2>/dev/null
		sleep 2
		for k in $(cat "$D/kids" 2>/dev/null); do kill -KILL "$k" 2>/dev/null; done
	fi
}

descendants() {
	local c
	for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do
		echo "$c"
		descendants "$c"
	done
}

# make run in the background, in a process group of its own (as a terminal's foreground job is),
# with no time limit unless one is given here (not one from the caller's environment).
start_run() {
	set -m
	env -u EAS_RUN_SECONDS EAS_RUN_PORT="$PORT" "$@" make -s --no-print-directory -C "$EAS_TOP" \
		BUILD="$(dirname "$EAS_BIN")" run >"$D/out" 2>&1 &
	echo $! >"$D/run.pid"
	set +m
}
dashboard_200() { [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 200 ]; }
# The private Redis of the run, from the commands it prints.
sock() { sed -n 's/.*redis-cli -s \([^ ]*\) XREVRANGE.*/\1/p' "$D/out" | head -n 1; }
live() { [ "$(redis-cli -s "$(sock)" exists "eas:heartbeat:$1")" = 1 ]; }

@test "make run with EAS_RUN_SECONDS: dashboard 200 with both sources live, every part up, exit 0, nothing left" {
	start_run EAS_RUN_SECONDS=40
	local pid rc=0
	pid=$(cat "$D/run.pid")
	srv_wait 60 grep -q 'Dashboard: http://127.0.0.1:' "$D/out"
	srv_wait 15 live demo1
	srv_wait 15 live demo2
	srv_wait 5 dashboard_200
	curl -s "http://127.0.0.1:$PORT/" | tee "$D/page" | head -n 20
	grep -q demo1 "$D/page"
	grep -q demo2 "$D/page"
	descendants "$pid" >"$D/kids"
	grep -q "eas-watch status" "$D/out"
	grep -q "eas-ctl source stop demo2" "$D/out"
	grep -q "XREVRANGE eas:alerts" "$D/out"
	wait "$pid" || rc=$?
	rm "$D/run.pid"
	cat "$D/out"
	[ "$rc" -eq 0 ]
	grep -q 'run: up: dashboard' "$D/out"
	! grep -q 'run: DOWN' "$D/out"
	for k in $(cat "$D/kids"); do ! kill -0 "$k" 2>/dev/null; done
	! dashboard_200
}

@test "make run: Ctrl-C (SIGINT to the process group) stops everything it started" {
	start_run
	local pid
	pid=$(cat "$D/run.pid")
	srv_wait 60 grep -q 'Ctrl-C stops everything' "$D/out" || { cat "$D/out"; false; }
	srv_wait 15 live demo1
	srv_wait 5 dashboard_200
	descendants "$pid" >"$D/kids"
	[ "$(wc -l <"$D/kids")" -ge 10 ]
	local s
	s=$(sock)
	kill -INT -- -"$pid"
	srv_wait 45 bash -c 'for k in $(cat "$1"); do ! kill -0 $k 2>/dev/null || exit 1; done' _ "$D/kids"
	rm "$D/run.pid"
	cat "$D/out"
	! dashboard_200
	[ ! -e "$s" ]
}
