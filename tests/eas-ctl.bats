#!/usr/bin/env bats
# eas-ctl.bats: eas-ctl send / listen / source against a real redis-server started here: every
# command confirmed, signed, in order; refusals with their reasons; Redis going away and back.

load helpers
load lib-servers
bats_require_minimum_version 1.5.0

setup() {
	D=$BATS_TEST_TMPDIR
	SRV_LIST="$D/srv.list"
	R="$D/r"
	export EAS_REDIS_URL="unix://$R/redis.sock"
	unset EAS_CTL_KEY_FILE EAS_PREFIX
	redis_start "$R"
	# the recording handler: what it was asked, one line per command; stdin kept
	cat >"$D/handler" <<EOF
#!/bin/sh
echo "\$EAS_CTL_COMMAND|\$EAS_CTL_SOURCE|\$EAS_CTL_SEQ|\$EAS_CTL_SENDER|\$EAS_CTL_PARAM_GAIN|\$EAS_CTL_PARAM_INPUT|\$EAS_CTL_PARAM_RATE|\$*" >>"$D/record"
cat >"$D/stdin.last"
echo "did \$EAS_CTL_COMMAND \$EAS_CTL_SOURCE"
EOF
	chmod +x "$D/handler"
	printf '%s\n' 0123456789abcdef0123456789abcdef >"$D/key"
	printf '%s\n' fedcba9876543210fedcba9876543210 >"$D/key2"
	chmod 600 "$D/key" "$D/key2"
}

teardown() {
	[ -f "$D/stopped.pids" ] && xargs kill -CONT <"$D/stopped.pids" 2>/dev/null
	local f pid
	for f in "$D"/*.bgpid; do
		[ -f "$f" ] || continue
		pid=$(cat "$f")
		kill -KILL "$pid" 2>/dev/null && { wait "$pid" 2>/dev/null || true; }
	done
	srv_cleanup
}

live() { [ "$(rcli "$R" exists "$(key ctl:listener "$1")")" = 1 ]; }
subscribed() { [ "$(rcli "$R" pubsub numsub "$1" | sed -n 2p)" -ge 1 ]; }

# listen_bg NAME [eas-ctl options...]: a listener running $D/handler, log in $D/NAME.log.
listen_bg() {
	local name=$1
	shift
	eas-ctl -v "$@" listen --name "$name" --exec "$D/handler" 2>"$D/$name.log" &
	echo $! >"$D/$name.bgpid"
	srv_wait 5 live "$name"
}

# capture_bg: every message on the command channel into $D/cap (it counts as a listener).
capture_bg() {
	redis-cli -s "$R/redis.sock" --raw subscribe "$K_COMMANDS" >"$D/cap" &
	echo $! >"$D/cap.bgpid"
	srv_wait 5 subscribed "$K_COMMANDS"
}
captured() { grep '^{' "$D/cap" | sed -n "${1:-1}p"; }

# inject MSG ID: publish MSG as a command and print the reply on ID's response channel.
inject() {
	local out="$D/resp.$2"
	redis-cli -s "$R/redis.sock" --raw subscribe "$(key audio:response "$2")" >"$out" &
	local p=$!
	srv_wait 5 subscribed "$(key audio:response "$2")"
	rcli "$R" publish "$K_COMMANDS" "$1" >/dev/null
	srv_wait 5 grep -q '^{' "$out"
	kill "$p"
	wait "$p" 2>/dev/null || true
	grep '^{' "$out" | head -n 1
}

now_ts() { date -u +%Y-%m-%dT%H:%M:%S.000Z; }
# body ID COMMAND SOURCE SEQ TIMESTAMP: a command object without its closing brace.
body() {
	printf '{"command_id":"%s","command":"%s","source":"%s","params":{},"seq":%s,"timestamp":"%s","sender":"test"' "$@"
}
# sign BODY [KEYFILE]: BODY closed with its "sig" member, as eas-ctl signs (openssl's HMAC).
sign() {
	local sig
	sig=$(printf %s "$1" | openssl dgst -sha256 -hmac "$(head -n 1 "${2:-$D/key}")" -r | cut -d' ' -f1)
	printf '%s,"sig":"%s"}' "$1" "$sig"
}
ms() { echo $(($(date +%s%N) / 1000000)); }

@test "eas-ctl: an unknown option, no sub-command or an unknown one: the reason and a hint, not the usage" {
	for args in --bogus "" frobnicate "-t 0 send ping" "source" "source frob"; do
		# shellcheck disable=SC2086 # the words of args are the arguments
		run --separate-stderr eas-ctl $args
		[ "$status" -eq 2 ] || { echo "[$args]: $status"; false; }
		[ -z "$output" ]
		[ "${#stderr_lines[@]}" -eq 2 ] || { echo "[$args]: $stderr"; false; }
		[ "${stderr_lines[1]}" = "Try 'eas-ctl --help' for more information." ]
		[[ "$stderr" != *"Usage:"* ]]
	done
	run --separate-stderr eas-ctl --bogus
	[[ "${stderr_lines[0]}" == *"unrecognized option '--bogus'" ]]
	run --separate-stderr eas-ctl
	[ "${stderr_lines[0]}" = "eas-ctl: no sub-command given (send, listen or source)" ]
	run --separate-stderr eas-ctl frobnicate
	[ "${stderr_lines[0]}" = "eas-ctl: unknown sub-command frobnicate (send, listen or source)" ]
}

@test "eas-ctl: -h, --version, bad usage" {
	run eas-ctl -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--handler-timeout"* ]]
	run eas-ctl --version
	[ "$status" -eq 0 ]
	[[ "$output" == "eas-ctl "* ]]
	run eas-ctl frobnicate
	[ "$status" -eq 2 ]
	run eas-ctl send no_such_command
	[ "$status" -eq 2 ]
	run eas-ctl send source_start
	[ "$status" -eq 2 ]
	[[ "$output" == *"needs a SOURCE"* ]]
	run eas-ctl send source_start ../etc
	[ "$status" -eq 2 ]
	[[ "$output" == *"bad source name"* ]]
	run eas-ctl --to 'a b' send ping
	[ "$status" -eq 2 ]
	run eas-ctl listen
	[ "$status" -eq 2 ]
	run eas-ctl --timeout 0 send ping
	[ "$status" -eq 2 ]
}

@test "eas-ctl: a confirmed command: handler gets args, env and JSON; liveness and counters kept" {
	listen_bg a1
	run eas-ctl send source_start fm1 gain=3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "a1: ok: did source_start fm1" ]
	IFS='|' read -r cmd src seq sender gain input rate args <"$D/record"
	[ "$cmd" = source_start ] && [ "$src" = fm1 ] && [ "$seq" = 1 ] && [ "$gain" = 3 ]
	[ "$args" = "source_start fm1 gain=3" ]
	[[ "$sender" == *@* ]]
	[ "$(jq -r '.command + " " + .source + " " + .params.gain' "$D/stdin.last")" = "source_start fm1 3" ]
	ttl=$(rcli "$R" ttl "$(key ctl:listener a1)")
	[ "$ttl" -gt 0 ] && [ "$ttl" -le 30 ]
	[ "$(rcli "$R" hget "$K_CMD_COUNTERS" source_start:ok)" = 1 ]
	run eas-ctl --json send ping
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r '[.listener, .success, .message, .exit_code] | join(" ")')" = "a1 true pong 0" ]
	[ "$(wc -l <"$D/record")" -eq 1 ] # ping does not run the handler
}

@test "eas-ctl: a failing handler makes exit 1 with its message; a slow one is killed" {
	printf '#!/bin/sh\necho "no such device: $EAS_CTL_SOURCE"\nexit 4\n' >"$D/handler"
	listen_bg a1 --handler-timeout 0.5
	run eas-ctl send source_start fm1
	[ "$status" -eq 1 ]
	[ "$output" = "a1: failed (exit 4): no such device: fm1" ]
	run eas-ctl --json send source_stop fm1
	[ "$status" -eq 1 ]
	[ "$(echo "$output" | jq -r '[.success, .exit_code, .message] | join(" ")')" = "false 4 no such device: fm1" ]
	printf '#!/bin/sh\nsleep 30\n' >"$D/handler"
	t0=$(ms)
	run eas-ctl send source_start fm1
	[ "$status" -eq 1 ]
	[[ "$output" == *"killed after 0.5 s"* ]]
	[ $(($(ms) - t0)) -lt 3000 ]
	[ "$(rcli "$R" hget "$K_CMD_COUNTERS" source_start:timeout)" = 1 ]
	[ "$(rcli "$R" hget "$K_CMD_COUNTERS" source_start:failed)" = 1 ]
}

@test "eas-ctl: no listener is exit 3 at once" {
	t0=$(ms)
	run eas-ctl send ping
	[ "$status" -eq 3 ]
	[[ "$output" == *"no listener"* ]]
	[ $(($(ms) - t0)) -lt 1500 ]
}

@test "eas-ctl: a stopped (SIGSTOP) listener is exit 3 after the timeout, never success" {
	listen_bg a1
	kill -STOP "$(cat "$D/a1.bgpid")"
	cat "$D/a1.bgpid" >>"$D/stopped.pids"
	t0=$(ms)
	run eas-ctl --timeout 1 send source_start fm1
	el=$(($(ms) - t0))
	[ "$status" -eq 3 ]
	[[ "$output" == *"0 of 1 replies"* ]]
	[ "$el" -ge 1000 ] && [ "$el" -lt 3000 ]
}

@test "eas-ctl: two listeners give two replies; --to reaches only one" {
	listen_bg a1
	listen_bg b2
	run eas-ctl send source_start fm1
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | sort | tr '\n' ' ')" = "a1: ok: did source_start fm1 b2: ok: did source_start fm1 " ]
	[ "$(wc -l <"$D/record")" -eq 2 ]
	run eas-ctl --to b2 send source_stop fm1
	[ "$status" -eq 0 ]
	[ "$output" = "b2: ok: did source_stop fm1" ]
	[ "$(grep -c source_stop "$D/record")" -eq 1 ]
	run eas-ctl --to nobody --timeout 0.5 send ping
	[ "$status" -eq 3 ]
}

@test "eas-ctl: an older seq injected after a newer one was applied is superseded, not run" {
	listen_bg a1
	run eas-ctl send source_start fm1
	[ "$status" -eq 0 ]
	run eas-ctl send source_stop fm1
	[ "$status" -eq 0 ]
	[ "$(cut -d'|' -f3 "$D/record" | tr '\n' ' ')" = "1 2 " ]
	[ "$(rcli "$R" get "$(key ctl:seq fm1)")" = 2 ]
	reply=$(inject "$(body old1 source_start fm1 1 "$(now_ts)")}" old1)
	[ "$(echo "$reply" | jq -r .success)" = false ]
	[[ "$(echo "$reply" | jq -r .message)" == "superseded: seq 1 of fm1, 2 already applied" ]]
	[ "$(wc -l <"$D/record")" -eq 2 ]
	[ "$(rcli "$R" hget "$K_CMD_COUNTERS" source_start:superseded)" = 1 ]
	# another source has its own sequence
	run eas-ctl send source_start fm2
	[ "$status" -eq 0 ]
	[ "$(tail -n 1 "$D/record" | cut -d'|' -f3)" = 1 ]
}

@test "eas-ctl: signed commands and replies: the HMAC is over the exact bytes sent" {
	listen_bg a1 -k "$D/key"
	capture_bg
	run eas-ctl -k "$D/key" --to a1 --json send source_start fm1 gain=2
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .success)" = true ]
	[[ "$(echo "$output" | jq -r .sig)" =~ ^[0-9a-f]{64}$ ]]
	msg=$(captured 1)
	prefix=${msg%,\"sig\":*}
	[ "$(sign "$prefix")" = "$msg" ]
	# the key also comes from the environment
	EAS_CTL_KEY_FILE="$D/key" run eas-ctl --to a1 send ping
	[ "$status" -eq 0 ]
	! grep -q "not signed" "$D/a1.log"
}

@test "eas-ctl: wrong key, unsigned, tampered, stale and replayed commands are refused with the reason" {
	listen_bg a1 -k "$D/key"
	# wrong key: the listener refuses; its reply, signed with its key, is no reply to us
	run eas-ctl -k "$D/key2" --timeout 2 send source_start fm1
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused a reply from a1: bad signature"* ]]
	grep -q "refused source_start fm1 .*: bad signature" "$D/a1.log"
	# unsigned: an unsigned sender reads the listener's reason
	run eas-ctl send source_start fm1
	[ "$status" -eq 1 ]
	[ "$output" = "a1: failed: unsigned command refused" ]
	# tampered: one byte of a genuine command changed
	good=$(sign "$(body t1 source_start fm1 7 "$(now_ts)")")
	reply=$(inject "${good/\"seq\":7/\"seq\":8}" t1)
	[ "$(echo "$reply" | jq -r .message)" = "bad signature" ]
	# stale: correctly signed, two minutes old
	reply=$(inject "$(sign "$(body t2 source_start fm1 9 "$(date -u -d '-120 sec' +%Y-%m-%dT%H:%M:%S.000Z)")")" t2)
	[[ "$(echo "$reply" | jq -r .message)" == "stale command: timestamp 12"*" s off (window 30 s)" ]]
	# replay: the exact bytes of a command that ran, published again
	reply=$(inject "$good" t1)
	[ "$(echo "$reply" | jq -r .success)" = true ]
	reply=$(inject "$good" t1)
	[ "$(echo "$reply" | jq -r .message)" = "replayed command (id already seen)" ]
	[ "$(grep -c '^source_start|fm1|7|' "$D/record")" -eq 1 ]
	[ "$(wc -l <"$D/record")" -eq 1 ]
	[ "$(rcli "$R" hget "$K_CMD_COUNTERS" source_start:refused)" = 5 ]
}

# forger KEYFILE|-: a fake listener (it counts as one) that answers every command "success", its
# reply unsigned (-) or signed with KEYFILE.
forger() {
	capture_bg
	(
		for _ in $(seq 100); do
			id=$(captured 1 | jq -r .command_id 2>/dev/null)
			if [ -n "$id" ]; then
				b="{\"command_id\":\"$id\",\"listener\":\"evil\",\"success\":true,\"message\":\"done\",\"exit_code\":0,\"timestamp\":\"$(now_ts)\""
				if [ "$1" = - ]; then b="$b}"; else b=$(sign "$b" "$1"); fi
				rcli "$R" publish "$(key audio:response "$id")" "$b"
				exit 0
			fi
			sleep 0.05
		done
	) >/dev/null &
	echo $! >"$D/forger.bgpid"
}

stop_capture() {
	kill "$(cat "$D/cap.bgpid")"
	wait "$(cat "$D/cap.bgpid")" 2>/dev/null || true
	rm -f "$D/cap.bgpid"
}

@test "eas-ctl: a forged reply is refused by a sender with a key" {
	forger -
	t0=$(ms)
	run eas-ctl -k "$D/key" --timeout 5 send source_start fm1
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused a reply from evil: unsigned"* ]]
	[[ "$output" == *"0 genuine of 1 replies"* ]]
	[[ "$output" != *"ok"* ]]
	[ $(($(ms) - t0)) -lt 4000 ] # not waited out
	stop_capture
	forger "$D/key2"
	run eas-ctl -k "$D/key" --timeout 5 send source_start fm1
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"refused a reply from evil: bad signature"* ]]
	stop_capture
	# the same forger with the right key is believed: the check is the key, nothing else
	forger "$D/key"
	run eas-ctl -k "$D/key" --timeout 5 send source_start fm1
	[ "$status" -eq 0 ]
	[ "$output" = "evil: ok: done" ]
}

@test "eas-ctl: a key file readable by others is refused" {
	chmod 644 "$D/key"
	run eas-ctl -k "$D/key" send ping
	[ "$status" -eq 2 ]
	[[ "$output" == *"readable by group or others (mode 644)"* ]]
	run eas-ctl -k "$D/key" listen -x "$D/handler"
	[ "$status" -eq 2 ]
	printf 'short\n' >"$D/key3"
	chmod 600 "$D/key3"
	run eas-ctl -k "$D/key3" send ping
	[ "$status" -eq 2 ]
	[[ "$output" == *"16..512 bytes"* ]]
}

@test "eas-ctl: the sender fails fast when Redis is unreachable or silent" {
	t0=$(ms)
	run eas-ctl -u "unix://$D/nothing.sock" send ping
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot reach Redis"* ]]
	[ $(($(ms) - t0)) -lt 2000 ]
	port=$(srv_free_port)
	t0=$(ms)
	run eas-ctl -u "redis://127.0.0.1:$port" source list
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot reach Redis"* ]]
	[ $(($(ms) - t0)) -lt 2000 ]
	kill -STOP "$(cat "$R/redis.pid")"
	cat "$R/redis.pid" >>"$D/stopped.pids"
	t0=$(ms)
	run eas-ctl send ping
	[ "$status" -eq 1 ]
	[[ "$output" == *"no answer in time"* ]]
	[ $(($(ms) - t0)) -lt 3000 ]
	kill -CONT "$(cat "$R/redis.pid")"
}

@test "eas-ctl: Redis SIGKILLed and restarted under a listener: the next command is confirmed" {
	listen_bg a1
	run eas-ctl send ping
	[ "$status" -eq 0 ]
	redis_kill "$R"
	run eas-ctl send ping
	[ "$status" -eq 1 ]
	redis_start "$R"
	srv_wait 10 live a1
	run eas-ctl send source_start fm1
	[ "$status" -eq 0 ]
	[ "$output" = "a1: ok: did source_start fm1" ]
	grep -q "lost Redis" "$D/a1.log"
	grep -q "reconnected to Redis" "$D/a1.log"
	kill -0 "$(cat "$D/a1.bgpid")"
}

@test "eas-ctl: malformed commands are answered or logged, and the listener goes on" {
	listen_bg a1
	rcli "$R" publish "$K_COMMANDS" 'not json' >/dev/null
	rcli "$R" publish "$K_COMMANDS" '[1,2]' >/dev/null
	rcli "$R" publish "$K_COMMANDS" '{}' >/dev/null
	head -c 200000 /dev/zero | tr '\0' a | sed 's/^/{"command_id":"big","x":"/; s/$/"}/' >"$D/big"
	rcli "$R" -x publish "$K_COMMANDS" <"$D/big" >/dev/null
	reply=$(inject '{"command_id":"m1","command":"reboot","params":{},"timestamp":"2026-01-01T00:00:00Z"}' m1)
	[ "$(echo "$reply" | jq -r .message)" = 'malformed command: unknown command "reboot"' ]
	reply=$(inject "$(body m2 source_start ../etc 1 "$(now_ts)")}" m2)
	[ "$(echo "$reply" | jq -r .message)" = 'malformed command: bad source "../etc"' ]
	reply=$(inject '{"command_id":"m3","command":"ping","command":"ping"}' m3)
	[ "$(echo "$reply" | jq -r .message)" = 'malformed command: member command given twice' ]
	reply=$(inject '{"command_id":"m4","command":"source_stop","source":"x","seq":"1","params":{"a":{}},"timestamp":"now"}' m4)
	[ "$(echo "$reply" | jq -r .success)" = false ]
	run eas-ctl send ping
	[ "$status" -eq 0 ]
	grep -q "no id to answer" "$D/a1.log"
	grep -q "message of 2000" "$D/a1.log"
	[ ! -e "$D/record" ]
	kill -0 "$(cat "$D/a1.bgpid")"
}

@test "eas-ctl: source list and get to a closed pipe stop quietly with status 0" {
	rcli "$R" hset "$K_SOURCES" fm1 '{"name":"fm1","input":"alsa:hw:1"}' >/dev/null
	for args in "source list" "--json source list" "source get fm1"; do
		# the reader is gone before eas-ctl writes: the write fails with EPIPE
		# shellcheck disable=SC2086 # the words of args are the arguments
		{
			sleep 0.3
			st=0
			eas-ctl $args 2>"$D/err" || st=$?
			echo "$st" >"$D/st"
		} | true
		[ "$(cat "$D/st")" = 0 ] || { echo "[$args]: $(cat "$D/st")"; cat "$D/err"; false; }
		[ ! -s "$D/err" ] || { echo "[$args]:"; cat "$D/err"; false; }
	done
}

@test "eas-ctl: source add/update/get/list/start/stop/delete round trip through a listener" {
	listen_bg a1
	run eas-ctl source add fm1 alsa:hw:1 --rate 48000 gain=3
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "a1: ok: did source_add fm1" ]
	run eas-ctl source add fm1 alsa:hw:1
	[ "$status" -eq 1 ]
	[[ "$output" == *"exists already"* ]]
	run eas-ctl source get fm1
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -c .)" = '{"name":"fm1","input":"alsa:hw:1","rate":48000,"options":{"gain":"3"}}' ]
	run eas-ctl source add wx2 'http://radio.example/wx.mp3'
	[ "$status" -eq 0 ]
	run eas-ctl source list
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "NAME                       RATE  INPUT" ]
	[ "${lines[1]}" = "fm1                       48000  alsa:hw:1" ]
	[ "${lines[2]}" = "wx2                           -  http://radio.example/wx.mp3" ]
	run eas-ctl --json source list
	[ "$(echo "$output" | jq -r .name | tr '\n' ' ')" = "fm1 wx2 " ]
	run eas-ctl source update fm1 alsa:hw:2 -r 22050
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" hget "$K_SOURCES" fm1 | jq -r '.input + " " + (.rate|tostring)')" = "alsa:hw:2 22050" ]
	run eas-ctl source update nosuch x
	[ "$status" -eq 1 ]
	run eas-ctl source start fm1
	[ "$status" -eq 0 ]
	run eas-ctl source stop fm1
	[ "$status" -eq 0 ]
	run eas-ctl source delete fm1
	[ "$status" -eq 0 ]
	run eas-ctl source get fm1
	[ "$status" -eq 1 ]
	run eas-ctl source start fm1
	[ "$status" -eq 1 ]
	run eas-ctl source add bad/name x
	[ "$status" -eq 2 ]
	cat "$D/record"
	[ "$(cut -d'|' -f1-3,5-7 "$D/record" | tr '\n' ' ')" = "source_add|fm1|1|3|alsa:hw:1|48000 source_add|wx2|1||http://radio.example/wx.mp3| source_update|fm1|2||alsa:hw:2|22050 source_start|fm1|3||| source_stop|fm1|4||| source_delete|fm1|5||| " ]
	[ "$(sed -n 1p "$D/record" | cut -d'|' -f8)" = "source_add fm1 input=alsa:hw:1 rate=48000 gain=3" ]
}

@test "eas-ctl: man page, completions and --help name every option" {
	man=$(man_text "$EAS_TOP/man/eas-ctl.1")
	help=$(eas-ctl -h)
	for o in --redis --prefix --key-file --timeout --to --json --name --exec --handler-timeout \
		--window --rate --verbose --help --version; do
		[[ "$man" == *"$o"* ]] || { echo "man: no $o"; false; }
		[[ "$help" == *"$o"* ]] || { echo "help: no $o"; false; }
		grep -q -- "$o" "$EAS_TOP/completions/bash/eas-ctl"
		grep -q -- "$o" "$EAS_TOP/completions/zsh/_eas-ctl"
	done
	for w in EAS_CTL_COMMAND EAS_CTL_SOURCE EAS_CTL_SEQ EAS_CTL_ID EAS_CTL_SENDER EAS_CTL_PARAM_ \
		EAS_CTL_KEY_FILE command_id exit_code superseded source_update streaming_stop SECURITY; do
		[[ "$man" == *"$w"* ]] || { echo "man: no $w"; false; }
	done
	for c in source_start source_delete streaming_start ping add update delete list get; do
		grep -q -- "$c" "$EAS_TOP/completions/bash/eas-ctl"
		grep -q -- "$c" "$EAS_TOP/completions/zsh/_eas-ctl"
	done
}
