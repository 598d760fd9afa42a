#!/usr/bin/env bats
# eas-publish.bats: eas-publish against real redis-server, Sentinel and PostgreSQL started here:
# storing, announcing once, losing nothing across Redis kills, restarts, failover, PG restarts
# and servers that never answer (SIGSTOP).

load helpers
load lib-servers

setup() {
	srv_setup
}

teardown() {
	bg_cleanup # publishers and generators in the background, servers stopped with SIGSTOP
	srv_cleanup
}

# wait_pid NAME SECONDS: wait for background NAME to exit; its status in $BG_STATUS.
wait_pid() {
	local pid
	pid=$(cat "$D/$1.bgpid")
	local end=$(($(date +%s) + $2))
	while kill -0 "$pid" 2>/dev/null; do
		if [ "$(date +%s)" -ge "$end" ]; then
			echo "$1 still running after $2 s" >&2
			return 1
		fi
		sleep 0.1
	done
	BG_STATUS=0
	wait "$pid" || BG_STATUS=$?
	rm -f "$D/$1.bgpid"
}

alert_line() { # ID SOURCE
	printf '{"type":"alert","raw":"ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-","originator":"WXR","event":"TOR","locations":[{"code":"039173","part":0,"state":"OH","county":"Wood County"}],"issued":"2026-05-03T16:45:00.000Z","expires":"2036-05-03T17:15:00.000Z","id":"%s","source":"%s","time":"2026-05-03T16:45:10.123Z","offset_s":1.5}\n' "$1" "$2"
}

@test "eas-publish: -h, --version, bad usage" {
	run eas-publish -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--sentinel"* ]]
	run eas-publish --version
	[ "$status" -eq 0 ]
	[[ "$output" == "eas-publish "* ]]
	run eas-publish --no-such-option
	[ "$status" -eq 2 ]
	run eas-publish --min-replicas x
	[ "$status" -eq 2 ]
	run eas-publish -u http://example/
	[ "$status" -eq 2 ]
	run eas-publish --sentinel 127.0.0.1:26379
	[ "$status" -eq 2 ]
	run eas-publish extra-arg
	[ "$status" -eq 2 ]
}

@test "eas-publish: alert, eom and status land in stream, channel, heartbeat and metrics" {
	redis_start "$R"
	redis-cli -s "$R/redis.sock" subscribe eas:alerts >"$D/sub.out" &
	echo $! >"$D/sub.bgpid"
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' pubsub numsub eas:alerts | sed -n 2p)\" = 1 ]"
	{
		alert_line 00000000000000a1 mon1
		echo '{"type":"attention","tone":"853+960","duration_s":8.0,"offset_s":3.0}'
		echo '{"type":"eom","source":"mon1","time":"2026-05-03T16:46:10.123Z","offset_s":72.5,"bursts":3}'
		echo '{"type":"status","source":"mon1","time":"2026-05-03T16:46:10.123Z","samples":22050,"rms_dbfs":-20.5,"peak_dbfs":-3.0,"silence":false,"clipping":false}'
	} >"$D/in"
	run eas-publish -u "$URL" <"$D/in"
	[ "$status" -eq 0 ]
	# a copy of every line on stdout
	[ "${#lines[@]}" -eq 4 ]
	[ "$(rcli "$R" xlen eas:alerts)" -eq 2 ]
	[ "$(stream_ids -s "$R/redis.sock" | head -n 1)" = 00000000000000a1 ]
	[ "$(rcli "$R" --raw xrange eas:alerts - + | grep '^{' | jq -r .type | tr '\n' ' ')" = "alert eom " ]
	ttl=$(rcli "$R" ttl eas:heartbeat:mon1)
	[ "$ttl" -gt 0 ] && [ "$ttl" -le 60 ]
	[ "$(rcli "$R" hget eas:metrics mon1 | jq -r .rms_dbfs)" = "-20.5" ]
	[ -n "$(rcli "$R" hget eas:metrics _heartbeat)" ]
	# one source so far: it is the seen key's value, and there is no heard set yet
	[ "$(rcli "$R" get eas:seen:00000000000000a1)" = mon1 ]
	[ "$(rcli "$R" exists eas:heard:00000000000000a1)" -eq 0 ]
	srv_wait 5 grep -q 00000000000000a1 "$D/sub.out"
	[ "$(grep -c '^{' "$D/sub.out")" -eq 2 ]
	# -q: no copy
	run eas-publish -q -u "$URL" <"$D/in"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# the same lines again: nothing new in the stream, and a replay by the
	# same source is not a second source
	[ "$(rcli "$R" xlen eas:alerts)" -eq 2 ]
	[ "$(rcli "$R" exists eas:heard:00000000000000a1)" -eq 0 ]
}

@test "eas-publish: --prefix and EAS_PREFIX name every key through lib/keys" {
	redis_start "$R"
	alert_line 00000000000000c3 mon1 >"$D/in"
	echo '{"type":"status","source":"mon1","samples":1}' >>"$D/in"
	run eas-publish -q -u "$URL" --prefix st2/ <"$D/in"
	[ "$status" -eq 0 ]
	run env EAS_PREFIX=env: eas-publish -q -u "$URL" <"$D/in"
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" xlen st2/alerts)" -eq 1 ]
	[ "$(rcli "$R" get st2/seen:00000000000000c3)" = mon1 ]
	[ "$(rcli "$R" exists st2/heartbeat:mon1)" -eq 1 ]
	[ -n "$(rcli "$R" hget st2/metrics mon1)" ]
	[ "$(rcli "$R" xlen env:alerts)" -eq 1 ]
	[ "$(rcli "$R" exists env:heartbeat:mon1)" -eq 1 ]
	[ "$(rcli "$R" exists eas:alerts)" -eq 0 ]
	run eas-publish --prefix "$(printf '%065d' 0)" </dev/null
	[ "$status" -eq 2 ]
}

@test "eas-publish: eas-encode | eas-decode | eas-publish, seen on a SUBSCRIBE" {
	command -v eas-encode && command -v eas-decode || skip "eas-encode/eas-decode not built"
	redis_start "$R"
	redis-cli -s "$R/redis.sock" subscribe $K_ALERTS >"$D/sub.out" &
	echo $! >"$D/sub.bgpid"
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' pubsub numsub $K_ALERTS | sed -n 2p)\" = 1 ]"
	eas-encode --org WXR --event TOR --loc 039173 --purge 0030 --sender KCLE/NWS |
		eas-decode -s station1 | eas-publish -q -u "$URL"
	[ "$(rcli "$R" xlen $K_ALERTS)" -ge 1 ]
	rcli "$R" --raw xrange $K_ALERTS - + | grep '^{' >"$D/stream"
	cat "$D/stream"
	jq -s -e 'map(select(.type=="alert")) | length == 1 and .[0].event == "TOR"' "$D/stream"
	srv_wait 5 grep -q '"event":"TOR"' "$D/sub.out"
	ttl=$(rcli "$R" ttl $(key heartbeat station1))
	[ "$ttl" -gt 0 ] && [ "$ttl" -le 60 ]
	rcli "$R" hexists $K_METRICS station1 | grep -qx 1
}

@test "eas-publish: two monitors hear the same alert: one announcement, both sources" {
	redis_start "$R"
	redis-cli -s "$R/redis.sock" subscribe $K_ALERTS >"$D/sub.out" &
	echo $! >"$D/sub.bgpid"
	srv_wait 5 sh -c "[ \"\$(redis-cli -s '$R/redis.sock' pubsub numsub $K_ALERTS | sed -n 2p)\" = 1 ]"
	alert_line 00000000000000b2 x >"$D/in"
	eas-publish -q -s monA -u "$URL" <"$D/in" &
	a=$!
	eas-publish -q -s monB -u "$URL" <"$D/in" &
	b=$!
	wait $a
	wait $b
	[ "$(rcli "$R" xlen $K_ALERTS)" -eq 1 ]
	[ "$(rcli "$R" smembers $(key heard 00000000000000b2) | sort | tr '\n' ' ')" = "monA monB " ]
	first=$(rcli "$R" get $(key seen 00000000000000b2))
	[ "$first" = monA ] || [ "$first" = monB ]
	# a third monitor joins the set; the heard set expires with the alert too
	eas-publish -q -s monC -u "$URL" <"$D/in"
	[ "$(rcli "$R" smembers $(key heard 00000000000000b2) | sort | tr '\n' ' ')" = "monA monB monC " ]
	[ "$(rcli "$R" xlen $K_ALERTS)" -eq 1 ]
	[ "$(rcli "$R" pttl $(key heard 00000000000000b2))" -gt 86400000 ]
	sleep 0.3
	[ "$(grep -c '^{' "$D/sub.out")" -eq 1 ]
	# and the seen key expires with the alert (2036), not before
	[ "$(rcli "$R" pttl $(key seen 00000000000000b2))" -gt 86400000 ]
}

@test "eas-publish: bad input is reported with its line number and skipped" {
	redis_start "$R"
	{
		alert_line 0000000000000001 m
		echo 'this is not json'
		head -c 1048576 /dev/zero | tr '\0' 'x'
		echo
		head -c 3000 /dev/urandom | tr -d '\n'
		echo
		echo '{"no":"type"}'
		echo '{"type":"alert","source":"m"}'
		echo '{"type":"alert","id":"has space","source":"m"}'
		echo '{"type":"alert","id":"0000000000000099","expires":"tomorrow","source":"m"}'
		echo '[1,2,3]'
		printf '{"type":"eom"}\n'
		alert_line 0000000000000002 m
		alert_line 0000000000000003 m
	} >"$D/in"
	run eas-publish -q -u "$URL" <"$D/in"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"line 2: bad JSON"* ]]
	[[ "$output" == *"line 3: longer than"* ]]
	[[ "$output" == *"line 4: bad JSON"* ]]
	[[ "$output" == *"line 5: missing field \"type\""* ]]
	[[ "$output" == *"without \"id\" or \"raw\""* ]]
	[[ "$output" == *"field \"id\""* ]]
	[[ "$output" == *"\"expires\" is not an RFC 3339 time"* ]]
	[[ "$output" == *"eom without"* ]]
	[ "$(stream_ids -s "$R/redis.sock" | tr '\n' ' ')" = "0000000000000001 0000000000000002 0000000000000003 " ]
}

@test "eas-publish: no Redis: exit 1 after --drain-timeout, the next run drains the spool" {
	mkdir -p "$R"
	alert_line 00000000000000c1 m >"$D/in"
	alert_line 00000000000000c2 m >>"$D/in"
	run eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 0.5 <"$D/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"2 lines remain spooled"* ]]
	[ "$(wc -l <"$D/spool/spool.log")" -eq 2 ]
	# a second process cannot take the same spool
	mkfifo "$D/hold.fifo"
	bg sleeper sh -c 'exec sleep 60 >"$1"' sh "$D/hold.fifo"
	eas-publish -q -u "$URL" --spool "$D/spool" <"$D/hold.fifo" &
	echo $! >"$D/holder.bgpid"
	sleep 0.3
	run eas-publish -q -u "$URL" --spool "$D/spool" </dev/null
	[ "$status" -eq 1 ]
	[[ "$output" == *"in use"* ]]
	kill -TERM "$(cat "$D/holder.bgpid")"
	wait_pid holder 5
	redis_start "$R"
	run eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 10 </dev/null
	[ "$status" -eq 0 ]
	[ "$(stream_ids -s "$R/redis.sock" | tr '\n' ' ')" = "00000000000000c1 00000000000000c2 " ]
	# without --spool, lines that could not be stored are reported lost
	redis_stop "$R"
	run eas-publish -q -u "$URL" --drain-timeout 0.3 <"$D/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"lost"* ]]
}

@test "eas-publish: ACL user and --password-file" {
	redis_start "$R" --requirepass s3cret
	rcli "$R" -a s3cret --no-auth-warning acl setuser pub on '>pw%1' '~*' '&*' '+@all' >/dev/null
	alert_line 00000000000000d1 m >"$D/in"
	run eas-publish -q -u "$URL" --drain-timeout 0.3 <"$D/in"
	[ "$status" -eq 1 ]
	printf 's3cret\n' >"$D/pw"
	chmod 600 "$D/pw"
	run eas-publish -q -u "$URL" --password-file "$D/pw" <"$D/in"
	[ "$status" -eq 0 ]
	alert_line 00000000000000d2 m >"$D/in"
	run eas-publish -q -u "unix://pub:pw%251@$R/redis.sock" <"$D/in"
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" -a s3cret --no-auth-warning xlen $K_ALERTS)" -eq 2 ]
}

@test "eas-publish: 2,000 alerts while Redis is SIGKILLed twice, then 500 across a SIGTERM: exactly once, in order" {
	redis_start "$R" --appendonly yes --appendfsync always
	gen_alerts 1 2000 400 | eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 30 2>"$D/pub.err" &
	echo $! >"$D/pub.bgpid"
	sleep 1.2
	redis_kill "$R"
	sleep 0.7
	redis_start "$R" --appendonly yes --appendfsync always
	sleep 1.3
	redis_kill "$R"
	sleep 0.7
	redis_start "$R" --appendonly yes --appendfsync always
	wait_pid pub 40
	cat "$D/pub.err"
	[ "$BG_STATUS" -eq 0 ]
	grep -q spooling "$D/pub.err"
	stream_ids -s "$R/redis.sock" >"$D/ids"
	[ "$(wc -l <"$D/ids")" -eq 2000 ]
	[ "$(sort -u "$D/ids" | wc -l)" -eq 2000 ]
	seq 1 2000 | awk '{printf "%016x\n", $1}' | cmp - "$D/ids"

	# 500 more while Redis is down; eas-publish is stopped with SIGTERM
	redis_kill "$R"
	mkfifo "$D/feed.fifo"
	(
		gen_alerts 2001 500 0
		exec sleep 60
	) >"$D/feed.fifo" &
	echo $! >"$D/feeder.bgpid"
	eas-publish -q -u "$URL" --spool "$D/spool" <"$D/feed.fifo" 2>"$D/pub2.err" &
	echo $! >"$D/pub2.bgpid"
	srv_wait 15 sh -c "[ \$(wc -l <'$D/spool/spool.log') -ge 500 ]"
	sleep 0.3
	kill -TERM "$(cat "$D/pub2.bgpid")"
	wait_pid pub2 10
	[ "$BG_STATUS" -eq 1 ]
	redis_start "$R" --appendonly yes --appendfsync always
	run eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 20 </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	stream_ids -s "$R/redis.sock" >"$D/ids"
	[ "$(wc -l <"$D/ids")" -eq 2500 ]
	[ "$(sort -u "$D/ids" | wc -l)" -eq 2500 ]
	seq 1 2500 | awk '{printf "%016x\n", $1}' | cmp - "$D/ids"
}

@test "eas-publish: PostgreSQL stopped and started during 600 alerts: 600 rows" {
	[ -n "$(pg_bindir)" ] || skip "no PostgreSQL server binaries"
	redis_start "$R"
	pg_start
	gen_alerts 1 600 200 | eas-publish -q -s pgmon -u "$URL" --pg "$PG_CONNINFO" --spool "$D/spool" \
		--drain-timeout 30 2>"$D/pub.err" &
	echo $! >"$D/pub.bgpid"
	sleep 0.8
	pg_down immediate
	sleep 1
	pg_up
	wait_pid pub 40
	cat "$D/pub.err"
	[ "$BG_STATUS" -eq 0 ]
	grep -q 'postgresql.*spooling' "$D/pub.err"
	[ "$(pq 'select count(*) from eas_alerts')" -eq 600 ]
	[ "$(pq 'select count(distinct id) from eas_alerts')" -eq 600 ]
	[ "$(pq "select sources[1] || ' ' || event || ' ' || locations[1] from eas_alerts where id = '0000000000000001'")" = "pgmon TOR 039173" ]
	# a second monitor hearing an alert adds its source to the row
	gen_alerts 1 1 0 | eas-publish -q -s other -u "$URL" --pg "$PG_CONNINFO"
	[ "$(pq "select array_to_string(sources, ',') from eas_alerts where id = '0000000000000001'")" = "pgmon,other" ]
	[ "$(pq "select line->>'raw' from eas_alerts where id = '0000000000000002'")" = "ZCZC-WXR-TOR-039173+0030-1000002-KCLE/NWS-" ]
}

# put_alert N: write alert N to the feed (fd 7) and wait at most 1 s for the stream to hold N
# entries; say how long it took.
put_alert() {
	local t0 n
	t0=$(date +%s%N)
	alert_line "$(printf '%016x' "$1")" hang >&7
	while :; do
		n=$(rcli "$R" xlen $K_ALERTS)
		[ "$n" -ge "$1" ] && break
		if [ $(($(date +%s%N) - t0)) -gt 1000000000 ]; then
			echo "alert $1 not in Redis within 1 s (stream holds $n)" >&2
			return 1
		fi
		sleep 0.02
	done
	echo "alert $1 in Redis after $((($(date +%s%N) - t0) / 1000000)) ms"
}

# stop_procs PID...: SIGSTOP this test's server processes (SIGCONT again in teardown).
stop_procs() {
	printf '%s\n' "$@" >>"$D/stopped.pids"
	kill -STOP "$@"
}

@test "eas-publish: a PostgreSQL that never answers (SIGSTOP) holds up neither input nor Redis" {
	[ -n "$(pg_bindir)" ] || skip "no PostgreSQL server binaries"
	redis_start "$R"
	pg_start
	pm=$(head -n 1 "$PG_DIR/data/postmaster.pid")
	# 1. the postmaster is stopped: connections hang in the startup packet, past our 5 s limit
	stop_procs "$pm"
	mkfifo "$D/feed.fifo"
	eas-publish -q -v -s hang -u "$URL" --pg "$PG_CONNINFO" --spool "$D/spool" --drain-timeout 30 \
		<"$D/feed.fifo" 2>"$D/pub.err" &
	echo $! >"$D/pub.bgpid"
	exec 7>"$D/feed.fifo"
	for i in $(seq 1 13); do
		put_alert "$i"
		sleep 0.5
	done
	grep -q 'postgresql: no connection within 5 s; spooling' "$D/pub.err"
	kill -CONT "$pm"
	srv_wait 15 sh -c "[ \"\$(psql '$PG_CONNINFO' -XAtq -c 'select count(*) from eas_alerts')\" = 13 ]"
	# 2. connected, then every process of the cluster stops: a batch waits for its answer
	put_alert 14
	srv_wait 10 sh -c "[ \"\$(psql '$PG_CONNINFO' -XAtq -c 'select count(*) from eas_alerts')\" = 14 ]"
	# shellcheck disable=SC2046
	stop_procs "$pm" $(ps -o pid= --ppid "$pm")
	for i in $(seq 15 30); do
		put_alert "$i"
		sleep 0.2
	done
	# shellcheck disable=SC2046
	kill -CONT $(cat "$D/stopped.pids")
	exec 7>&-
	wait_pid pub 40
	cat "$D/pub.err"
	[ "$BG_STATUS" -eq 0 ]
	grep -q 'postgresql: connected, ' "$D/pub.err"
	[ "$(rcli "$R" xlen $K_ALERTS)" -eq 30 ]
	[ "$(pq 'select count(*) from eas_alerts')" -eq 30 ]
	[ "$(pq 'select count(distinct id) from eas_alerts')" -eq 30 ]
	[ "$(pq "select id from eas_alerts order by id desc limit 1")" = "000000000000001e" ]
}

# sentinel_cluster: master ($D/m, port $mp) + replica ($D/s, port $rp), both appendfsync always,
# and three Sentinels watching them as "mymaster" ($sp: their list, $s1: the first one's port).
sentinel_cluster() {
	local p i
	s1=""
	mp=$(srv_free_port)
	rp=$(srv_free_port)
	while [ "$rp" = "$mp" ]; do rp=$(srv_free_port); done
	redis_start "$D/m" --port "$mp" --bind 127.0.0.1 --appendonly yes --appendfsync always
	redis_start "$D/s" --port "$rp" --bind 127.0.0.1 --appendonly yes --appendfsync always \
		--replicaof 127.0.0.1 "$mp"
	srv_wait 10 sh -c "redis-cli -p $rp info replication | grep -q 'master_link_status:up'"
	sp=""
	for i in 1 2 3; do
		p=$(srv_free_port)
		sentinel_start "$D/sen$i" "$p" "$mp"
		sp="$sp${sp:+,}127.0.0.1:$p"
		s1=${s1:-$p}
	done
	srv_wait 10 sh -c "redis-cli -p $s1 sentinel replicas mymaster | grep -q $rp"
}

# sentinel_feed: alerts 1..1000 at 200/s into eas-publish through the Sentinels with
# --min-replicas 1, in the background (pid in $D/pub.bgpid, stderr in $D/pub.err).
sentinel_feed() {
	gen_alerts 1 1000 200 | eas-publish -q -v --sentinel "$sp" --master mymaster --min-replicas 1 \
		--spool "$D/spool" --drain-timeout 40 2>"$D/pub.err" &
	echo $! >"$D/pub.bgpid"
}

# sentinel_failed_over: wait until the Sentinels name the replica ($rp) the master.
sentinel_failed_over() {
	srv_wait 20 sh -c "[ \"\$(redis-cli -p $s1 sentinel get-master-addr-by-name mymaster | sed -n 2p)\" = $rp ]"
}

# new_master_has_1_to_1000: the stream on the new master ($rp) holds alerts 1..1000, each
# once, in order.
new_master_has_1_to_1000() {
	stream_ids -p "$rp" >"$D/ids"
	[ "$(wc -l <"$D/ids")" -eq 1000 ]
	[ "$(sort -u "$D/ids" | wc -l)" -eq 1000 ]
	seq 1 1000 | awk '{printf "%016x\n", $1}' | cmp - "$D/ids"
}

@test "eas-publish: Sentinel failover during 1,000 alerts: all on the new master exactly once" {
	sentinel_cluster
	sentinel_feed
	sleep 1.5
	redis_kill "$D/m"
	sentinel_failed_over
	# the old master comes back and is made a replica of the new one
	redis_start "$D/m" --port "$mp" --bind 127.0.0.1 --appendonly yes --appendfsync always
	wait_pid pub 60
	cat "$D/pub.err" | grep -v debug | tail -n 20
	[ "$BG_STATUS" -eq 0 ]
	new_master_has_1_to_1000
}

@test "eas-publish: a master that hangs (SIGSTOP) during 1,000 alerts: left after 5 s, all on the new master" {
	sentinel_cluster
	sentinel_feed
	sleep 1.5
	# the master keeps its connections open but answers nothing: no EOF, no RST
	stop_procs "$(cat "$D/m/redis.pid")"
	sentinel_failed_over
	# eas-publish leaves the hung master by itself: while it is still stopped, every
	# line reaches the new master (only WAIT waits, for a replica)
	srv_wait 20 sh -c "[ \"\$(redis-cli -p $rp xlen $K_ALERTS)\" = 1000 ]"
	grep -q "no reply within [0-9]* ms" "$D/pub.err"
	# it wakes up and Sentinel makes it the new master's replica, for --min-replicas 1
	kill -CONT "$(cat "$D/m/redis.pid")"
	wait_pid pub 60
	grep -v debug "$D/pub.err" | tail -n 20
	[ "$BG_STATUS" -eq 0 ]
	new_master_has_1_to_1000
}

@test "eas-publish: a closed stdout ends input quietly, what was read is stored" {
	redis_start "$R"
	gen_alerts 1 3000 0 >"$D/in"
	run bash -c "set -o pipefail; eas-publish -u '$URL' <'$D/in' 2>'$D/err' | head -n 1"
	[ "$status" -eq 0 ]
	[ ! -s "$D/err" ]
	[ "${#lines[@]}" -eq 1 ]
	n=$(rcli "$R" xlen $K_ALERTS)
	[ "$n" -ge 1 ]
	[ "$(stream_ids -s "$R/redis.sock" | sort -u | wc -l)" -eq "$n" ]
}

@test "eas-publish: scripts/demo.sh (make run) shows the alert in a private Redis" {
	command -v eas-encode && command -v eas-decode || skip "eas-encode/eas-decode not built"
	run sh "$EAS_TOP/scripts/demo.sh"
	[ "$status" -eq 0 ]
	[[ "$output" == *'"event":"TOR"'* ]]
	[[ "$output" == *"2 message(s)"* ]]
	[[ "$output" == *"eas:heartbeat:demo"* ]]
}

@test "eas-publish: --min-replicas keeps lines spooled until a replica has them; replay adds nothing" {
	redis_start "$R"
	gen_alerts 1 5 0 >"$D/in"
	run eas-publish -q -u "$URL" --min-replicas 1 --wait-timeout 200 --spool "$D/spool" \
		--drain-timeout 1.5 <"$D/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"5 lines remain spooled"* ]]
	[ "$(rcli "$R" xlen $K_ALERTS)" -eq 5 ]
	run eas-publish -q -u "$URL" --spool "$D/spool" </dev/null
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" xlen $K_ALERTS)" -eq 5 ]
	[ ! -s "$D/spool/spool.log" ]
}

@test "eas-publish: the time each source last heard each event outlives the stream; alerts counted by event" {
	redis_start "$R"
	ev_line() { # ID SOURCE EVENT TIME
		printf '{"type":"alert","raw":"ZCZC-WXR-%s-039173+0030-1231645-KCLE/NWS-","event":"%s","id":"%s","source":"%s","time":"%s","expires":"2036-05-03T17:15:00.000Z"}\n' "$3" "$3" "$1" "$2" "$4"
	}
	{
		ev_line r1 mon1 RWT 2026-05-01T10:00:00.000Z
		ev_line t1 mon1 TOR 2026-05-03T16:45:10.123Z
		ev_line r2 mon1 RWT 2026-05-08T10:00:00.000Z
		echo '{"type":"eom","source":"mon1","time":"2026-05-08T10:01:00.000Z","offset_s":9}'
	} | eas-publish -q -u "$URL" --maxlen 1
	# the stream keeps about one entry; the hash keeps every event's newest time
	[ "$(rcli "$R" hget eas:last:mon1 RWT)" = "$(date -u -d 2026-05-08T10:00:00Z +%s)" ]
	[ "$(rcli "$R" hget eas:last:mon1 TOR)" = "$(date -u -d 2026-05-03T16:45:10Z +%s)" ]
	[ "$(rcli "$R" hlen eas:last:mon1)" -eq 2 ]
	# a second monitor hearing the same RWT later: its own hash, no second count
	ev_line r2 mon2 RWT 2026-05-08T10:00:02.000Z | eas-publish -q -u "$URL"
	[ "$(rcli "$R" hget eas:last:mon2 RWT)" = "$(date -u -d 2026-05-08T10:00:02Z +%s)" ]
	[ "$(rcli "$R" hget eas:alerts:counts RWT)" -eq 2 ]
	[ "$(rcli "$R" hget eas:alerts:counts TOR)" -eq 1 ]
	# an older line replayed later does not move the time back
	ev_line r1 mon1 RWT 2026-05-01T10:00:00.000Z | eas-publish -q -u "$URL"
	[ "$(rcli "$R" hget eas:last:mon1 RWT)" = "$(date -u -d 2026-05-08T10:00:00Z +%s)" ]
	[ "$(rcli "$R" hget eas:alerts:counts RWT)" -eq 2 ]
}
