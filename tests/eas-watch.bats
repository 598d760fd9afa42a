#!/usr/bin/env bats
# eas-watch.bats: eas-watch against a real redis-server fed by eas-publish (and redis-cli where
# another tool owns the key): every check outcome, perfdata grammar, status, alerts with filters
# and county names, the per-alert hook and its delivery guarantee, and promtool on the export.

load helpers
load lib-servers

setup() {
	srv_setup
	export EAS_REDIS_URL=$URL
	unset EAS_PREFIX
}

teardown() {
	bg_cleanup
	srv_cleanup
}

# status_line SOURCE [RMS] [SILENCE] [CLIPPING] [EPOCH]: an eas-decode status line.
status_line() {
	printf '{"type":"status","source":"%s","time":"%s","samples":110250,"rms_dbfs":%s,"peak_dbfs":-3.0,"silence":%s,"clipping":%s}\n' \
		"$1" "$(iso "${5:-$(now_s)}")" "${2:--23.5}" "${3:-false}" "${4:-false}"
}

# alert_at ID SOURCE EVENT EPOCH [LOCS] [EXPIRES_EPOCH]: an alert line heard at EPOCH.
alert_at() {
	local loc=${5:-039173} exp=${6:-$(($4 + 1800))}
	local raw="ZCZC-WXR-$3-$loc+0030-3341200-KCLE/NWS-"
	printf '{"type":"alert","raw":"%s","originator":"WXR","event":"%s","locations":[{"code":"%s","part":0}],"issued":"%s","expires":"%s","sender":"KCLE/NWS","id":"%s","source":"%s","time":"%s","offset_s":1.5}\n' \
		"$raw" "$3" "${loc%%-*}" "$(iso "$4")" "$(iso "$exp")" "$1" "$2" "$(iso "$4")"
}

# publish: eas-publish the lines on stdin into the test's Redis.
publish() { eas-publish -q -u "$URL" "$@"; }

# healthy SOURCE...: each source publishes a status line now and has heard an RWT two days ago.
# The status lines come from an eas-publish of their own, so that their spool_bytes is 0 (with
# the RWT lines in the same run, one may still wait for Redis's answer when a status is written).
healthy() {
	local s t
	t=$(($(now_s) - 2 * 86400))
	for s in "$@"; do
		alert_at "rwt-$s-$t" "$s" RWT "$t"
	done | publish
	for s in "$@"; do
		status_line "$s"
	done | publish
}

# The perfdata of a check's first line, one item a line.
perfdata() { printf '%s\n' "$1" | head -n 1 | sed 's/^[^|]*| //' | grep -o "'[^']*'=[^ ]*"; }

@test "eas-watch: -h, --version, bad usage (check: UNKNOWN 3, others 2)" {
	run eas-watch -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--rwt-days"* && "$output" == *"--textfile"* && "$output" == *"--group"* ]]
	run eas-watch --version
	[ "$status" -eq 0 ]
	[[ "$output" == "eas-watch "* ]]
	run eas-watch
	[ "$status" -eq 2 ]
	run eas-watch frobnicate
	[ "$status" -eq 2 ]
	# the reason and a one-line hint, not the whole usage
	[ "${lines[0]}" = 'eas-watch: unknown subcommand "frobnicate"' ]
	[ "${lines[1]}" = "Try 'eas-watch --help' for more information." ]
	[ "${#lines[@]}" -eq 2 ]
	run eas-watch status --no-such-option
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "eas-watch status: unrecognized option '--no-such-option'" ]]
	[ "${#lines[@]}" -eq 2 ]
	run eas-watch check --no-such-option
	[ "$status" -eq 3 ]
	run eas-watch check --stale x
	[ "$status" -eq 3 ]
	run eas-watch check --textfile /tmp
	[ "$status" -eq 3 ]
	[[ "$output" == *"does not apply"* ]]
	run eas-watch status -w 10
	[ "$status" -eq 2 ]
	run eas-watch alerts --exec true
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs -f"* ]]
	run eas-watch alerts -f --group g
	[ "$status" -eq 2 ]
	run eas-watch alerts --since yesterday-ish
	[ "$status" -eq 2 ]
}

@test "eas-watch check: a bad -w or -c range is UNKNOWN" {
	for r in 20:10 abc '@' '~' 10:x 1:2:3 ''; do
		run eas-watch check -w "$r"
		echo "$r: $status $output"
		[ "$status" -eq 3 ]
		[[ "$output" == *"range"* ]]
	done
	run eas-watch check -c 5:1
	[ "$status" -eq 3 ]
	[[ "$output" == *"start is greater than end"* ]]
}

@test "eas-watch check: all OK, with perfdata that follows the grammar" {
	redis_start "$R"
	healthy wxr1 wxr2
	run eas-watch check -w -40: -c -60:
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "EAS OK - 2 of 2 sources live |"* ]]
	# 'label'=value[UOM];[warn];[crit];[min];[max], each item
	perfdata "$output" >"$D/perf"
	cat "$D/perf"
	[ "$(wc -l <"$D/perf")" -eq 6 ]
	while read -r item; do
		[[ "$item" =~ ^\'[^\'=]+\'=(-?[0-9]+(\.[0-9]+)?(s|ms|us|%|B|KB|MB|TB|c)?|U)(\;[~@0-9.:-]*){0,4}$ ]] ||
			{ echo "bad perfdata item: $item"; false; }
	done <"$D/perf"
	grep -qx "'wxr1 heartbeat_age'=[0-9]*s;;15;0;" "$D/perf"
	grep -qx "'wxr2 rms_dbfs'=-23.5;-40:;-60:;;0" "$D/perf"
	grep -qx "'wxr2 spool'=0B;~:65535;;0;" "$D/perf"
	# a detail line per source after the status line
	[[ "$output" == *"wxr1: live, heartbeat"* && "$output" == *"wxr2: live"* ]]
}

@test "eas-watch check: a stale heartbeat is CRITICAL naming that source only, within --stale" {
	redis_start "$R"
	# wxr1 and wxr3 keep publishing (for at most 15 s); wxr2 publishes once
	bg feeder sh -c "for i in \$(seq 30); do for s in wxr1 wxr3; do printf '{\"type\":\"status\",\"source\":\"%s\",\"rms_dbfs\":-20,\"silence\":false,\"clipping\":false}\n' \$s; done; sleep 0.5; done | exec eas-publish -q --drain-timeout 0 -u '$URL'" >/dev/null 2>&1
	healthy wxr1 wxr2 wxr3
	run eas-watch check --stale 3
	echo "$output"
	[ "$status" -eq 0 ]
	hb=$(rcli "$R" get "$(key heartbeat wxr2)")
	until [ "$status" -eq 2 ]; do
		sleep 0.1
		run eas-watch check --stale 3
		[ "$(date +%s)" -lt $((hb + 10)) ] || { echo "no CRITICAL after 10 s: $output"; false; }
	done
	now=$(date +%s.%N)
	echo "$output"
	echo "CRITICAL $(echo "$now - $hb" | bc) s after wxr2's last status (--stale 3)"
	# past --stale, and within it plus the heartbeat's one-second resolution and a poll
	[ "$(echo "$now - $hb > 3" | bc)" -eq 1 ]
	[ "$(echo "$now - $hb < 5" | bc)" -eq 1 ]
	text=${lines[0]%% | *}
	[[ "$text" == "EAS CRITICAL - wxr2 heartbeat stale ("*")" ]]
	[[ "$text" != *wxr1* && "$text" != *wxr3* ]]
}

@test "eas-watch check: a configured source that never published is CRITICAL" {
	redis_start "$R"
	healthy wxr1
	run eas-watch check -s wxr1 -s wxr9
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL - wxr9 never published"* ]]
	[[ "${lines[0]}" == *"'wxr9 heartbeat_age'=U;;15;0;"* ]]
	# the same verdict as JSON
	run eas-watch check -s wxr1 -s wxr9 --json
	[ "$status" -eq 2 ]
	echo "$output" | jq -e '.state == "CRITICAL" and .code == 2 and .critical == ["wxr9 never published"] and (.summary | startswith("EAS CRITICAL - wxr9"))' 
	# the same from the sources hash (eas-ctl's) instead of --source
	rcli "$R" hset "$K_SOURCES" wxr1 '{}' wxr8 '{}' >/dev/null
	run eas-watch check
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL - wxr8 never published"* ]]
	# nothing to check at all: UNKNOWN
	rcli "$R" flushall >/dev/null
	run eas-watch check
	[ "$status" -eq 3 ]
	[[ "$output" == "EAS UNKNOWN - no sources"* ]]
}

@test "eas-watch check: silence, clipping and the level ranges are WARNING or CRITICAL" {
	redis_start "$R"
	healthy wxr1 wxr2
	status_line wxr1 -80 true false | publish
	run eas-watch check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "EAS WARNING - wxr1 silent |"* ]]
	# with how long, from the line: --silence decides
	printf '{"type":"status","source":"wxr1","rms_dbfs":-80,"silence":true,"silence_s":30,"clipping":false}\n' | publish
	run eas-watch check --silence 60
	[ "$status" -eq 0 ]
	run eas-watch check --silence 20
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"wxr1 silent for 30 s"* ]]
	status_line wxr1 -3 false true | publish
	run eas-watch check
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "EAS WARNING - wxr1 clipping"* ]]
	status_line wxr1 -45 | publish
	run eas-watch check -w -40: -c -60:
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"wxr1 level -45.0 dBFS outside -40:"* ]]
	run eas-watch check -w -30: -c -40:
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL - wxr1 level -45.0 dBFS outside -40:"* ]]
	run eas-watch check -c @-50:-40
	[ "$status" -eq 2 ]
}

@test "eas-watch check: no RWT for 8 days (as eas-publish keeps it) is WARNING" {
	redis_start "$R"
	t=$(($(now_s) - 9 * 86400))
	{
		status_line wxr1
		alert_at rwt-old wxr1 RWT "$t"
		alert_at tor-new wxr1 TOR "$(now_s)"
	} | publish --maxlen 1
	# the RWT is older than the stream keeps: the time comes from eas-publish's hash
	rcli "$R" hget "$(key last wxr1)" RWT | grep -qx "$t"
	run eas-watch check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "EAS WARNING - wxr1 no RWT for 9 d"* ]]
	run eas-watch check --rwt-days 10
	[ "$status" -eq 0 ]
	run eas-watch check --rwt-days 0
	[ "$status" -eq 0 ]
	# a source that never heard one
	status_line wxr2 | publish
	run eas-watch check --rwt-days 10
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"wxr2 never heard an RWT"* ]]
}

@test "eas-watch check: Redis unreachable or not answering is CRITICAL within the timeout" {
	mkdir -p "$R"
	run eas-watch check -t 2
	echo "$output"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL - Redis:"* ]]
	run eas-watch check -t 2 --json
	[ "$status" -eq 2 ]
	echo "$output" | jq -e '.state == "CRITICAL" and (.critical[0] | startswith("Redis: "))'
	redis_start "$R"
	healthy wxr1
	kill -STOP "$(cat "$R/redis.pid")"
	cat "$R/redis.pid" >>"$D/stopped.pids"
	start=$(date +%s%N)
	run eas-watch check -t 2
	elapsed=$((($(date +%s%N) - start) / 1000000))
	echo "$output ($elapsed ms)"
	[ "$status" -eq 2 ]
	[[ "${lines[0]}" == "EAS CRITICAL - Redis:"* ]]
	[ "$elapsed" -lt 3500 ]
	kill -CONT "$(cat "$R/redis.pid")"
}

@test "eas-watch check: a control listener whose liveness key expired is WARNING" {
	redis_start "$R"
	healthy wxr1
	rcli "$R" set "$(key ctl:listener box1)" 1 EX 30 >/dev/null
	rcli "$R" set "$(key ctl:listener box2)" 1 EX 30 >/dev/null
	run eas-watch check --listener box1 --listener box2
	[ "$status" -eq 0 ]
	# box2 stops refreshing its key: it expires
	rcli "$R" pexpire "$(key ctl:listener box2)" 50 >/dev/null
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' exists '$(key ctl:listener box2)')\" = 0 ]"
	run eas-watch check --listener box1 --listener box2
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == "EAS WARNING - listener box2 not alive"* ]]
	[[ "$output" == *"listener box1: alive"* ]]
}

@test "eas-watch check: a spool backing up (eas-publish's spool_bytes) is WARNING" {
	redis_start "$R"
	healthy wxr1
	run eas-watch check
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *"'wxr1 spool'=0B;~:65535;;0;"* ]]
	# PostgreSQL away: the alerts wait in the spool, and the status line says how many bytes
	t=$(now_s)
	{
		for i in $(seq 10); do alert_at "sp$i" wxr1 TOR "$t"; done
		status_line wxr1
	} | eas-publish -q -u "$URL" --pg "host=$D/no-pg dbname=x connect_timeout=1" --drain-timeout 0.5 || true
	bytes=$(rcli "$R" hget "$K_METRICS" wxr1 | jq -r .spool_bytes)
	echo "spool_bytes $bytes"
	[ "$bytes" -gt 2000 ]
	run eas-watch check --spool-warn 1000
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "${lines[0]}" == *"wxr1 spool backing up ($bytes bytes)"* ]]
	[[ "${lines[0]}" == *"'wxr1 spool'=${bytes}B;~:999;;0;"* ]]
	run eas-watch check
	[ "$status" -eq 0 ]
}

@test "eas-watch status: table and JSON" {
	redis_start "$R"
	healthy wxr1
	status_line wxr2 -70 true | publish
	rcli "$R" hset "$K_SOURCES" wxr3 '{}' >/dev/null
	run eas-watch status
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == SOURCE*STATE*HEARTBEAT* ]]
	echo "$output" | grep -E '^wxr1 +live .*RWT 20' || echo "$output" | grep -E '^wxr1 +live'
	echo "$output" | grep -E '^wxr2 +silent'
	echo "$output" | grep -E '^wxr3 +never'
	run eas-watch status --json
	echo "$output" | jq -e '.redis == true and (.sources | length) == 3'
	echo "$output" | jq -e '.sources[] | select(.source == "wxr1") | .state == "live" and .last_rwt != null and .rms_dbfs == -23.5'
	echo "$output" | jq -e '.sources[] | select(.source == "wxr3") | .state == "never" and .heartbeat_age_s == null'
	# Redis away: the JSON says so, exit 3
	redis_kill "$R"
	run eas-watch status --json -t 1
	[ "$status" -eq 3 ]
	echo "$output" | jq -e '.redis == false and (.error | length) > 0'
}

@test "eas-watch alerts: eas-encode | eas-decode | eas-publish, shown with county names and filters" {
	redis_start "$R"
	{
		eas-encode --org WXR --event TOR --loc 039173 --loc 039095 --purge 0030 --sender KCLE/NWS
		eas-encode --org WXR --event RWT --loc 039000 --purge 0015 --sender KCLE/NWS
		eas-encode --org WXR --event SVR --loc 026115 --purge 0100 --sender KDTX/NWS
	} | eas-decode -s wxr1 | publish
	run eas-watch alerts
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"Tornado Warning (TOR)"*"Wood County, OH; Lucas County, OH"*"heard by wxr1"* ]]
	[[ "$output" == *"Required Weekly Test (RWT)"*"all of Ohio"* ]]
	[[ "$output" == *"Severe Thunderstorm Warning (SVR)"*"Monroe County, MI"* ]]
	[ "$(grep -c EOM <<<"$output")" -eq 3 ]
	run eas-watch alerts --event TOR,SVR
	[ "${#lines[@]}" -eq 2 ]
	run eas-watch alerts --fips 039095
	# the TOR names Lucas County; the RWT is for all of Ohio
	[ "${#lines[@]}" -eq 2 ]
	[[ "$output" == *TOR* && "$output" == *RWT* ]]
	run eas-watch alerts --fips '026*'
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *SVR* ]]
	run eas-watch alerts --active --event TOR --json
	echo "$output" | jq -e 'select(.type == "alert") | .event == "TOR" and .locations[1].county == "Lucas County"'
	run eas-watch alerts -n 1
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *EOM* ]]
	run eas-watch alerts --source wxr2
	[ -z "$output" ]
	# a second monitor hears the TOR: it is in "heard by"
	rcli "$R" --raw xrange "$K_ALERTS" - + | grep '"event":"TOR"' | sed 's/"source":"wxr1"/"source":"wxr2"/' | publish
	run eas-watch alerts --source wxr2
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *"heard by wxr1 wxr2"* || "$output" == *"heard by wxr2 wxr1"* ]]
	# --since: a time after everything, and the first entry's id
	run eas-watch alerts --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)"
	[ -z "$output" ]
	first=$(rcli "$R" --raw xrange "$K_ALERTS" - + COUNT 1 | head -n 1)
	run eas-watch alerts --since "$first"
	[ "${#lines[@]}" -eq 6 ]
}

@test "eas-watch alerts: a closed pipe ends it quietly with status 0, past and -f" {
	redis_start "$R"
	t=$(now_s)
	for i in $(seq 300); do alert_at "p$i" wxr1 TOR "$t"; done | publish
	# 300 alerts of about 300 bytes a line are more than a pipe holds: the write meets EPIPE
	set +e
	eas-watch alerts -n 300 2>"$D/err" | head -n 1 >/dev/null
	rc=${PIPESTATUS[0]}
	timeout 20 eas-watch alerts -f -n 300 2>"$D/errf" | head -n 1 >/dev/null
	rcf=${PIPESTATUS[0]}
	set -e
	cat "$D/err" "$D/errf"
	[ "$rc" -eq 0 ]
	[ "$rcf" -eq 0 ]
	[ ! -s "$D/err" ]
	[ ! -s "$D/errf" ]
}

@test "eas-watch alerts: expired alerts are left out by --active" {
	redis_start "$R"
	t=$(now_s)
	{
		alert_at old wxr1 TOR $((t - 7200)) 039173 $((t - 5400))
		alert_at new wxr1 SVR $((t - 60)) 039173 $((t + 1800))
	} | publish
	run eas-watch alerts
	[ "${#lines[@]}" -eq 2 ]
	[[ "${lines[0]}" == *"(expired)"* ]]
	[[ "${lines[1]}" == *"(active, 30 min left)"* || "${lines[1]}" == *"(active, 29 min left)"* ]]
	run eas-watch alerts --active
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *SVR* ]]
}

@test "eas-watch alerts -f: follows live, reconnecting after Redis restarts" {
	redis_start "$R"
	alert_at a1 wxr1 TOR "$(now_s)" | publish
	bg follow eas-watch alerts -f >"$D/follow.out" 2>"$D/follow.err"
	srv_wait 5 grep -q TOR "$D/follow.out"
	alert_at a2 wxr1 SVR "$(now_s)" | publish
	srv_wait 5 grep -q SVR "$D/follow.out"
	redis_kill "$R"
	redis_start "$R"
	alert_at a3 wxr1 FFW "$(now_s)" | publish
	srv_wait 10 grep -q FFW "$D/follow.out"
	cat "$D/follow.out"
	[ "$(wc -l <"$D/follow.out")" -eq 3 ]
	kill -TERM "$(cat "$D/follow.bgpid")"
}

@test "eas-watch alerts -f --exec: the hook runs with the alert's environment and JSON" {
	redis_start "$R"
	cat >"$D/hook.sh" <<'EOF'
#!/bin/sh
{
	echo "EVENT=$EAS_EVENT"
	echo "EVENT_NAME=$EAS_EVENT_NAME"
	echo "ORIGINATOR=$EAS_ORIGINATOR"
	echo "SIGNIFICANCE=$EAS_SIGNIFICANCE"
	echo "LOCATIONS=$EAS_LOCATIONS"
	echo "COUNTIES=$EAS_COUNTIES"
	echo "ISSUED=$EAS_ISSUED"
	echo "EXPIRES=$EAS_EXPIRES"
	echo "SENDER=$EAS_SENDER"
	echo "RAW=$EAS_RAW"
	echo "ID=$EAS_ID"
	echo "SOURCES=$EAS_SOURCES"
	echo "STDIN=$(cat)"
} >"$OUT.tmp" && mv "$OUT.tmp" "$OUT"
EOF
	chmod +x "$D/hook.sh"
	OUT="$D/hook.out" bg hook eas-watch alerts -f --exec "$D/hook.sh" --group hooks 2>"$D/hook.err"
	srv_wait 5 sh -c "redis-cli -s '$R/redis.sock' xinfo groups '$K_ALERTS' | grep -q hooks"
	eas-encode --org WXR --event TOR --loc 039173 --loc 039095 --purge 0030 --sender KCLE/NWS |
		eas-decode -s wxr1 | publish
	srv_wait 10 test -f "$D/hook.out"
	cat "$D/hook.out"
	grep -qx 'EVENT=TOR' "$D/hook.out"
	grep -qx 'EVENT_NAME=Tornado Warning' "$D/hook.out"
	grep -qx 'ORIGINATOR=WXR' "$D/hook.out"
	grep -qx 'SIGNIFICANCE=warning' "$D/hook.out"
	grep -qx 'LOCATIONS=039173 039095' "$D/hook.out"
	grep -qx 'COUNTIES=Wood County, OH; Lucas County, OH' "$D/hook.out"
	grep -qx 'SENDER=KCLE/NWS' "$D/hook.out"
	grep -qx 'SOURCES=wxr1' "$D/hook.out"
	grep -q '^RAW=ZCZC-WXR-TOR-039173-039095+0030-' "$D/hook.out"
	grep -q '^ISSUED=20..-..-..T' "$D/hook.out"
	grep -q '^EXPIRES=20..-..-..T' "$D/hook.out"
	id=$(sed -n 's/^ID=//p' "$D/hook.out")
	[ ${#id} -eq 16 ]
	sed -n 's/^STDIN=//p' "$D/hook.out" | jq -e --arg id "$id" '.id == $id and .event == "TOR"'
	# acknowledged: nothing pending in the group
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' xpending '$K_ALERTS' hooks | head -n 1)\" = 0 ]"
}

@test "eas-watch alerts --exec --group: 200 alerts through kills and failures, none lost, in order" {
	redis_start "$R"
	# the hook logs every alert it is given; the first time it sees an alert whose number is a
	# multiple of 10 it fails (exit 1)
	cat >"$D/hook.sh" <<'EOF'
#!/bin/sh
n=$(expr "${EAS_ID#a}" + 0)
if [ $((n % 10)) -eq 0 ] && ! grep -qx "$EAS_ID" "$LOG.failed" 2>/dev/null; then
	echo "$EAS_ID" >>"$LOG.failed"
	exit 1
fi
sleep 0.02 # a kill often lands while a hook runs
echo "$EAS_ID" >>"$LOG"
EOF
	chmod +x "$D/hook.sh"
	export LOG="$D/handled.log"
	runner() {
		bg runner eas-watch alerts -f --exec "$D/hook.sh" --group hooks --consumer c1 -v 2>>"$D/runner.err"
	}
	runner
	srv_wait 5 sh -c "redis-cli -s '$R/redis.sock' xinfo groups '$K_ALERTS' | grep -q hooks"
	t=$(now_s)
	# 200 alerts at 100 per second, in the background
	(for i in $(seq -w 1 200); do alert_at "a$i" wxr1 TOR "$t"; sleep 0.01; done | publish) &
	echo $! >"$D/pub.bgpid"
	# SIGKILL the runner twice while alerts arrive, restart it each time
	for k in 1 2; do
		sleep 0.7
		kill -KILL "$(cat "$D/runner.bgpid")"
		wait "$(cat "$D/runner.bgpid")" 2>/dev/null || true
		runner
	done
	wait "$(cat "$D/pub.bgpid")"
	rm -f "$D/pub.bgpid"
	[ "$(rcli "$R" xlen "$K_ALERTS")" -eq 200 ]
	# every alert handled at least once (a failed try is not handled)
	srv_wait 60 sh -c "[ \$(sort -u '$LOG' | wc -l) -eq 200 ]" || {
		sort -u "$LOG" | wc -l
		tail -n 20 "$D/runner.err"
		false
	}
	[ "$(sort -u "$LOG" | head -n 1)" = a001 ] && [ "$(sort -u "$LOG" | tail -n 1)" = a200 ]
	# in order: the first handling of each alert comes after the first of the one before
	awk '!seen[$0]++' "$LOG" >"$D/first"
	sort "$D/first" | cmp - "$D/first"
	# every 10th failed once and was retried
	[ "$(wc -l <"$LOG.failed")" -eq 20 ]
	# nothing left pending
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' xpending '$K_ALERTS' hooks | head -n 1)\" = 0 ]"
	repeats=$(($(wc -l <"$LOG") - 200))
	echo "# hook delivery: 200 alerts, 2 SIGKILLs, 20 failures: $repeats handled twice" >&3
	[ "$repeats" -ge 0 ] && [ "$repeats" -le 10 ]
	grep -q "retrying in" "$D/runner.err"
}

@test "eas-watch alerts --exec: a hook that keeps failing is retried with backoff, then reported" {
	redis_start "$R"
	export LOG="$D/log"
	bg hook eas-watch alerts -f --exec 'echo "$EAS_ID" >>"$LOG"; [ "$EAS_ID" != bad ]' --group g \
		--retry-max 1.5 2>"$D/err"
	srv_wait 5 sh -c "redis-cli -s '$R/redis.sock' xinfo groups '$K_ALERTS' | grep -q g"
	{
		alert_at bad wxr1 TOR "$(now_s)"
		alert_at good wxr1 SVR "$(now_s)"
	} | publish
	srv_wait 10 grep -qx good "$LOG"
	cat "$D/err"
	n=$(grep -cx bad "$LOG")
	# 200 ms, 400, 800: a handful of tries in 1.5 s, not a tight loop
	[ "$n" -ge 3 ] && [ "$n" -le 6 ]
	grep -q "giving up on it" "$D/err"
	# and in order: good only after bad was given up
	[ "$(tail -n 1 "$LOG")" = good ]
}

@test "eas-watch prometheus: promtool accepts the export; --textfile is written atomically" {
	command -v promtool >/dev/null || skip "promtool (Debian package prometheus) not installed"
	redis_start "$R"
	healthy wxr1
	status_line wxr2 -70 true | publish
	# a source name that needs escaping in a label value (written as eas-publish would)
	rcli "$R" hset "$K_METRICS" 'odd "name"\x' '{"type":"status","rms_dbfs":-20.5}' >/dev/null
	rcli "$R" set "$(key heartbeat 'odd "name"\x')" "$(now_s)" EX 60 >/dev/null
	rcli "$R" hset "$K_CMD_COUNTERS" source_start:ok 3 source_stop:error 1 >/dev/null
	rcli "$R" set "$(key ctl:listener box1)" 1 EX 30 >/dev/null
	run eas-watch prometheus
	[ "$status" -eq 0 ]
	printf '%s\n' "$output" >"$D/metrics"
	cat "$D/metrics"
	promtool check metrics <"$D/metrics"
	grep -qx 'eas_up 1' "$D/metrics"
	grep -qx 'eas_source_up{source="wxr1"} 1' "$D/metrics"
	grep -qx 'eas_source_silence{source="wxr2"} 1' "$D/metrics"
	grep -q '^eas_source_last_rwt_timestamp_seconds{source="wxr1"} [0-9]*$' "$D/metrics"
	grep -qx 'eas_alerts_total{event="RWT"} 1' "$D/metrics"
	grep -qx 'eas_control_commands_total{command="source_start",result="ok"} 3' "$D/metrics"
	grep -qx 'eas_listener_up{listener="box1"} 1' "$D/metrics"
	grep -qF 'source="odd \"name\"\\x"' "$D/metrics"
	grep -q '^# TYPE eas_alerts_total counter$' "$D/metrics"
	# --textfile: the file appears whole, no temp file left
	mkdir "$D/tf"
	run eas-watch prometheus --textfile "$D/tf"
	[ "$status" -eq 0 ]
	[ "$(ls -A "$D/tf")" = eas-watch.prom ]
	promtool check metrics <"$D/tf/eas-watch.prom"
	# Redis down: eas_up 0 is still exported
	redis_kill "$R"
	run eas-watch prometheus -t 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"eas_up 0"* ]]
	run eas-watch prometheus --textfile "$D/no-such-dir"
	[ "$status" -eq 1 ]
}

@test "eas-watch: --prefix names every key" {
	redis_start "$R"
	{
		status_line wxr1
		alert_at rwt1 wxr1 RWT "$(now_s)"
	} | publish --prefix st2:
	[ "$(rcli "$R" exists st2:heartbeat:wxr1)" -eq 1 ]
	run eas-watch check --prefix st2:
	[ "$status" -eq 0 ]
	run eas-watch check
	[ "$status" -eq 3 ]
	EAS_PREFIX=st2: run eas-watch alerts
	[[ "$output" == *RWT* ]]
}

@test "eas-watch: the man page and both completions name every option of --help" {
	man=$(MANWIDTH=300 man -l "$EAS_TOP/man/eas-watch.1" 2>/dev/null)
	opts=$(eas-watch -h | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ "$(echo "$opts" | wc -l)" -ge 25 ]
	for o in $opts; do
		[[ "$man" == *"$o"* ]] || { echo "man: $o"; false; }
		grep -q -- "$o" "$EAS_TOP/completions/bash/eas-watch" || { echo "bash: $o"; false; }
		grep -q -- "$o" "$EAS_TOP/completions/zsh/_eas-watch" || { echo "zsh: $o"; false; }
	done
	for v in EAS_EVENT EAS_EVENT_NAME EAS_ORIGINATOR EAS_SIGNIFICANCE EAS_LOCATIONS EAS_ISSUED \
		EAS_EXPIRES EAS_SENDER EAS_RAW EAS_ID EAS_SOURCES eas_alerts_total eas_source_up; do
		[[ "$man" == *"$v"* ]] || { echo "man: $v"; false; }
	done
}
