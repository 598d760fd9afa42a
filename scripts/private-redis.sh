# private-redis.sh: sourced by scripts/demo.sh and bench/publish.sh: a throwaway redis-server on a
# unix socket in a directory of one's own (no TCP port, nothing saved), started and stopped.

# private_redis_start DIR WHO: redis-server on DIR/redis.sock (mode 700), pid in DIR/redis.pid;
# returns once it answers PING, or says "WHO: ..." on stderr and returns 1.
private_redis_start() {
	redis-server --port 0 --unixsocket "$1/redis.sock" --unixsocketperm 700 --dir "$1" \
		--save '' --appendonly no --daemonize yes --pidfile "$1/redis.pid" \
		--logfile "$1/redis.log" || return 1
	_i=0
	until [ "$(redis-cli -s "$1/redis.sock" ping 2>/dev/null)" = PONG ]; do
		_i=$((_i + 1))
		[ $_i -lt 100 ] || { echo "$2: redis-server did not start" >&2; return 1; }
		sleep 0.05
	done
}

# private_redis_stop DIR: shut down the server started in DIR, if there is one.
private_redis_stop() {
	[ -f "$1/redis.pid" ] || return 0
	redis-cli -s "$1/redis.sock" shutdown nosave >/dev/null 2>&1 ||
		kill "$(cat "$1/redis.pid")" 2>/dev/null
}
