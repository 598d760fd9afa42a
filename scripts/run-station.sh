#!/bin/sh
# run-station.sh: `make run`: a live station on this box until Ctrl-C: a private redis-server in a
# temp directory, two demo sources that are real network streams (ffmpeg serving on loopback an
# MP3 programme that loops with a Required Weekly Test and a Tornado Warning inside), their
# pipelines under eas-station with eas-ctl listen, and the dashboard under lighttpd.  With
# EAS_RUN_SECONDS=N it stops by itself after N seconds and exits 0 only if every part was up.
# Usage: EAS_BIN=build/bin sh scripts/run-station.sh   (EAS_RUN_PORT: dashboard port, default 8080)
# shellcheck disable=SC2317 # stop_all and the checks are called indirectly (trap, check)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
port=${EAS_RUN_PORT:-8080}
secs=${EAS_RUN_SECONDS:-}
PATH=$bin:$top/scripts:$PATH
export PATH

say() { printf 'run: %s\n' "$*" >&2; }
for t in eas-encode eas-capture eas-decode eas-publish eas-ctl eas-watch; do
	[ -x "$bin/$t" ] || { say "$bin/$t not built (make all)"; exit 1; }
done
for c in redis-server ffmpeg sox lighttpd curl python3; do
	command -v $c >/dev/null || { say "$c not installed (make deps)"; exit 1; }
done

tmp=$(mktemp -d)
sock=$tmp/redis.sock
export EAS_REDIS_URL="unix://$sock"
# shellcheck source=/dev/null # scripts/private-redis.sh
. "$top/scripts/private-redis.sh"
pids="" station=""

stop_all() {
	trap '' INT TERM
	if [ -n "$station" ]; then
		kill -TERM "$station" 2>/dev/null # eas-station stops its pipelines and eas-ctl listen
		wait "$station" 2>/dev/null
	fi
	for p in $pids; do kill -TERM "$p" 2>/dev/null; done
	for p in $pids; do wait "$p" 2>/dev/null; done
	private_redis_stop "$tmp"
	rm -rf "$tmp"
}
trap stop_all EXIT
stopping=""
trap 'stopping=1' INT TERM

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# The programme: quiet noise, a Required Weekly Test, noise, a Tornado Warning for Wood and Lucas
# counties (attention signal, message, EOM), noise: 76 s, looped by the servers.
say "making the demo programme"
if ! { sox -n -r 22050 -c 1 -b 16 "$tmp/gap.wav" synth 12 pinknoise vol 0.05 &&
	eas-encode --org WXR --event RWT --loc 039173 --purge 0100 --sender KCLE/NWS --attention none \
		-o "$tmp/rwt.wav" &&
	eas-encode --org WXR --event TOR --loc 039173 --loc 039095 --purge 0100 --sender KCLE/NWS \
		-o "$tmp/tor.wav" &&
	sox "$tmp/gap.wav" "$tmp/rwt.wav" "$tmp/gap.wav" "$tmp/tor.wav" "$tmp/gap.wav" "$tmp/prog.wav"; }; then
	say "cannot make the programme"
	exit 1
fi

# A stream server: ffmpeg serves one listener at a time on the URL, so a loop serves the next
# (a listener that reconnects gets the programme from its start).
serve() { # URL LOG
	trap 'kill $f 2>/dev/null; exit 0' TERM
	while :; do
		ffmpeg -nostdin -v error -re -stream_loop -1 -i "$tmp/prog.wav" -c:a libmp3lame -b:a 64k \
			-f mp3 -listen 1 "$1" </dev/null 2>>"$2" &
		f=$!
		wait $f
		sleep 0.2
	done
}

say "a private redis-server on $sock"
private_redis_start "$tmp" run || exit 1
p1=$(free_port)
p2=$(free_port)
url1=http://127.0.0.1:$p1/demo1.mp3
url2=http://127.0.0.1:$p2/demo2.mp3
say "demo streams on $url1 and $url2"
serve "$url1" "$tmp/serve1.log" &
pids="$pids $!"
serve "$url2" "$tmp/serve2.log" &
pids="$pids $!"

# The dashboard: lighttpd on loopback running the CGI scripts (dashboard.cgi as the index).
mkdir -p "$tmp/www"
cp "$top/cgi/"*.cgi "$tmp/www/" || { say "no CGI scripts in $top/cgi"; exit 1; }
ln -s dashboard.cgi "$tmp/www/index.cgi"
cat >"$tmp/lighttpd.conf" <<EOF
server.document-root = "$tmp/www"
server.bind = "127.0.0.1"
server.port = $port
server.errorlog = "$tmp/lighttpd.log"
server.modules += ( "mod_cgi", "mod_setenv" )
index-file.names = ( "index.cgi" )
cgi.assign = ( ".cgi" => "" )
setenv.add-environment = ( "PATH" => "$PATH", "EAS_REDIS_URL" => "$EAS_REDIS_URL" )
EOF
lighttpd -D -f "$tmp/lighttpd.conf" </dev/null &
pids="$pids $!"

# The station: no config file, the sources are added through eas-ctl like any other.
printf '# make run: sources come from eas:sources (eas-ctl source add)\n' >"$tmp/station.conf"
say "eas-station and eas-ctl listen (log $tmp/station.log)"
eas-station -c "$tmp/station.conf" -d "$tmp/state" 2>"$tmp/station.log" &
station=$!
up() { eas-ctl -t 2 send ping >/dev/null 2>&1; }
i=0
until up; do
	i=$((i + 1))
	[ $i -lt 100 ] || { say "eas-ctl listen did not come up"; cat "$tmp/station.log" >&2; exit 1; }
	sleep 0.1
done
eas-ctl source add demo1 "$url1" >&2 || { say "eas-ctl source add demo1 failed"; exit 1; }
eas-ctl source add demo2 "$url2" >&2 || { say "eas-ctl source add demo2 failed"; exit 1; }

cat <<EOF

  The station is running: two monitors on live streams, each hearing an RWT and a
  Tornado Warning every 76 s.  Dashboard: http://127.0.0.1:$port/

  Try, in another shell (from $top):
    EAS_REDIS_URL=$EAS_REDIS_URL build/bin/eas-watch status
    EAS_REDIS_URL=$EAS_REDIS_URL build/bin/eas-ctl source stop demo2
    redis-cli -s $sock XREVRANGE eas:alerts + - COUNT 3

  $(if [ -n "$secs" ]; then echo "Stopping by itself after $secs s (EAS_RUN_SECONDS)."; else echo "Ctrl-C stops everything."; fi)

EOF

t0=$(date +%s)
while [ -z "$stopping" ]; do
	[ -n "$secs" ] && [ $(($(date +%s) - t0)) -ge "$secs" ] && break
	sleep 1
done

# Was every part up at the end?  (With a time limit: the exit status says.)
fail=0
check() { # WHAT COMMAND...
	what=$1
	shift
	if "$@" >/dev/null 2>&1; then say "up: $what"; else say "DOWN: $what"; fail=1; fi
}
hb() { [ "$(redis-cli -s "$sock" exists "eas:heartbeat:$1")" = 1 ]; }
check "redis-server" test "$(redis-cli -s "$sock" ping)" = PONG
check "eas-station" kill -0 "$station"
check "eas-ctl listen" up
check "demo1 heard (heartbeat)" hb demo1
check "demo2 heard (heartbeat)" hb demo2
check "dashboard http://127.0.0.1:$port/ (200)" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/")" = 200
say "alerts and EOMs in the stream: $(redis-cli -s "$sock" xlen eas:alerts)"
if [ "$fail" -ne 0 ]; then
	say "station log:"
	tail -n 20 "$tmp/station.log" >&2
fi
say "stopping"
exit $fail
