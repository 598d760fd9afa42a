# lib-servers.bash: start and stop real redis-server, redis-sentinel and PostgreSQL in temp dirs for
# the bats tests, wait for them with timeouts, and kill every one of them in teardown (srv_cleanup).
# Only processes started here are ever signalled, by the pids they wrote.

SRV_LIST="${BATS_TEST_TMPDIR:-/tmp}/srv.list" # one "kind dir" per started server

# A free TCP port on 127.0.0.1.
srv_free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Wait until COMMAND succeeds, for at most SECONDS (fractions allowed).
srv_wait() {
	local secs=$1
	shift
	local end=$(($(date +%s%N) / 1000000 + ${secs%.*} * 1000 + 1000))
	until "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -lt "$end" ] || return 1
		sleep 0.05
	done
}

srv_pid() { cat "$1" 2>/dev/null; }

# Kill the process whose pid is in PIDFILE with SIGNAL and wait (5 s) until it is gone.
srv_kill_pidfile() {
	local pidfile=$1 sig=${2:-KILL} pid
	pid=$(srv_pid "$pidfile") || return 0
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || return 0
	local i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.05
		i=$((i + 1))
	done
}

# redis_start DIR [redis-server options...]: a redis-server with its data, log and pid in DIR and
# a unix socket DIR/redis.sock (add --port N for TCP).  Waits up to 10 s for PING.
redis_start() {
	local dir=$1
	shift
	mkdir -p "$dir"
	grep -qx "redis $dir" "$SRV_LIST" 2>/dev/null || echo "redis $dir" >>"$SRV_LIST"
	redis-server --port 0 --unixsocket "$dir/redis.sock" --unixsocketperm 700 --dir "$dir" \
		--daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save '' \
		"$@" || return 1
	srv_wait 10 redis_ping "$dir" || {
		echo "redis in $dir did not start:" >&2
		tail -n 20 "$dir/redis.log" >&2
		return 1
	}
}

redis_ping() {
	case "$(redis-cli -s "$1/redis.sock" ping 2>/dev/null)" in
	PONG | NOAUTH*) return 0 ;;
	*) return 1 ;;
	esac
}

# redis-cli on the server in DIR.
rcli() {
	local dir=$1
	shift
	redis-cli -s "$dir/redis.sock" "$@"
}

redis_kill() { srv_kill_pidfile "$1/redis.pid" KILL; }
redis_stop() { srv_kill_pidfile "$1/redis.pid" TERM; }

# sentinel_start DIR PORT MASTERPORT: a Sentinel watching 127.0.0.1:MASTERPORT as "mymaster"
# with quorum 2 and a one-second down-after.
sentinel_start() {
	local dir=$1 port=$2 mport=$3
	mkdir -p "$dir"
	echo "sentinel $dir" >>"$SRV_LIST"
	cat >"$dir/sentinel.conf" <<EOF
port $port
bind 127.0.0.1
daemonize yes
pidfile $dir/sentinel.pid
logfile $dir/sentinel.log
dir $dir
sentinel monitor mymaster 127.0.0.1 $mport 2
sentinel down-after-milliseconds mymaster 1000
sentinel failover-timeout mymaster 5000
sentinel parallel-syncs mymaster 1
EOF
	redis-sentinel "$dir/sentinel.conf" || return 1
	srv_wait 10 redis-cli -p "$port" ping
}

# The port Sentinel on SPORT names for mymaster.
sentinel_master_port() {
	redis-cli -p "$1" sentinel get-master-addr-by-name mymaster 2>/dev/null | sed -n 2p
}

# --- PostgreSQL -------------------------------------------------------------------------------
# initdb refuses to run as root: as root the cluster belongs to "nobody" (or $EAS_PG_USER).

pg_bindir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

pg_as() {
	if [ "$(id -u)" -eq 0 ]; then
		local u=${EAS_PG_USER:-nobody}
		if command -v runuser >/dev/null; then
			(cd / && runuser -u "$u" -- "$@")
		else
			(cd / && su -s /bin/sh "$u" -c "$(printf '%q ' "$@")")
		fi
	else
		"$@"
	fi
}

# pg_start: initdb and start a PostgreSQL in a fresh directory under /tmp (reachable by the
# cluster's user) listening only on a unix socket there.  Sets PG_DIR and PG_CONNINFO.
pg_start() {
	local bin
	bin=$(pg_bindir)
	[ -x "$bin/initdb" ] || return 1
	PG_DIR=$(mktemp -d /tmp/eas-pg.XXXXXX)
	chmod 755 "$PG_DIR"
	[ "$(id -u)" -eq 0 ] && chown "${EAS_PG_USER:-nobody}" "$PG_DIR"
	echo "pg $PG_DIR" >>"$SRV_LIST"
	pg_as "$bin/initdb" -D "$PG_DIR/data" -A trust -U postgres --no-sync >"$PG_DIR/initdb.log" 2>&1 || {
		cat "$PG_DIR/initdb.log" >&2
		return 1
	}
	PG_CONNINFO="host=$PG_DIR port=5432 user=postgres dbname=postgres"
	export PG_DIR PG_CONNINFO
	pg_up
}

pg_up() {
	local bin
	bin=$(pg_bindir)
	pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/pg.log" -w -t 30 \
		-o "-k $PG_DIR -c listen_addresses= -p 5432 -c fsync=off" start >/dev/null || {
		tail -n 20 "$PG_DIR/pg.log" >&2
		return 1
	}
}

pg_down() {
	local bin
	bin=$(pg_bindir)
	pg_as "$bin/pg_ctl" -D "$PG_DIR/data" -m "${1:-immediate}" -w -t 30 stop >/dev/null 2>&1
}

pq() { psql "$PG_CONNINFO" -XAtq -c "$1"; }

# --- a test's layout and its background processes ----------------------------------------------

# srv_setup: the layout of a test with a Redis of its own: D (the test's temp dir), SRV_LIST in it,
# R (the directory to give redis_start) and URL (the unix socket of that Redis, for -u).
srv_setup() {
	D=$BATS_TEST_TMPDIR
	SRV_LIST="$D/srv.list"
	R="$D/r"
	URL="unix://$R/redis.sock"
}

# bg NAME COMMAND...: run COMMAND in the background, its pid in $D/NAME.bgpid (killed by bg_cleanup).
bg() {
	local name=$1
	shift
	"$@" &
	echo $! >"$D/$name.bgpid"
}

# bg_cleanup: let the processes a test stopped (SIGSTOP, pids in $D/stopped.pids) go so that they
# can be shut down, and SIGKILL every process whose pid is in a $D/*.bgpid.
bg_cleanup() {
	[ -f "$D/stopped.pids" ] && xargs kill -CONT <"$D/stopped.pids" 2>/dev/null
	local f
	for f in "$D"/*.bgpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	return 0
}

# --- teardown -------------------------------------------------------------------------------

srv_cleanup() {
	[ -f "$SRV_LIST" ] || return 0
	local kind dir
	while read -r kind dir; do
		case $kind in
		redis) srv_kill_pidfile "$dir/redis.pid" KILL ;;
		sentinel) srv_kill_pidfile "$dir/sentinel.pid" KILL ;;
		pg)
			PG_DIR=$dir pg_down immediate
			rm -rf "$dir"
			;;
		esac
	done <"$SRV_LIST"
	rm -f "$SRV_LIST"
}

# --- input generators ------------------------------------------------------------------------

# gen_alerts FIRST COUNT RATE [SOURCE]: COUNT alert lines with ids from FIRST on (16 hex digits),
# at RATE lines per second (0: as fast as possible), flushed line by line.
gen_alerts() {
	python3 - "$@" <<'PY'
import sys, time, json
first, count, rate = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
src = sys.argv[4] if len(sys.argv) > 4 else "test"
t0 = time.monotonic()
out = sys.stdout
for i in range(first, first + count):
    raw = "ZCZC-WXR-TOR-039173+0030-%07d-KCLE/NWS-" % (1000000 + i % 9000000)
    line = {"type": "alert", "raw": raw, "originator": "WXR", "event": "TOR",
            "event_name": "Tornado Warning", "significance": "warning",
            "locations": [{"code": "039173", "part": 0, "state": "OH", "county": "Wood County"}],
            "purge": "0030", "issued": "2026-05-03T16:45:00.000Z",
            "expires": "2036-05-03T17:15:00.000Z", "sender": "KCLE/NWS",
            "id": "%016x" % i, "bursts": 3, "bit_errors": 0, "confidence": 1.0,
            "source": src, "time": "2026-05-03T16:45:10.123Z", "offset_s": i * 0.5}
    try:
        out.write(json.dumps(line, separators=(",", ":")) + "\n")
        out.flush()
    except BrokenPipeError:
        sys.exit(0)
    if rate > 0:
        d = t0 + (i - first + 1) / rate - time.monotonic()
        if d > 0:
            time.sleep(d)
PY
}

# The Redis keys the tests look at, for the default prefix: the one table of them in the tests.
# They are what lib/keys makes (tests/unit/test_keys.c checks lib/keys against the same names,
# and the first eas-publish test spells them out as the contract); eas-publish(1) documents them.
K_ALERTS=eas:alerts
K_METRICS=eas:metrics
K_SOURCES=eas:sources
K_COMMANDS=eas:audio:commands
K_CMD_COUNTERS=eas:ctl:counters
# key KIND NAME: a per-name key, e.g. "key seen 00a1" is eas:seen:00a1 (KIND: seen, heard, heartbeat,
# last, audio:response, ctl:listener, ctl:seq, ctl:applied, ctl:replay).
key() {
	printf 'eas:%s:%s' "$1" "$2"
}

# The "id" of every stream entry in order, one per line, from the server in DIR (or -h/-p args).
stream_ids() {
	redis-cli "$@" --raw xrange "$K_ALERTS" - + | grep '^{' | jq -r .id
}
