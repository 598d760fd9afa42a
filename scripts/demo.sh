#!/bin/sh
# demo.sh: the demo station behind `make run`: a private redis-server on a unix socket in a temp
# directory, eas-encode | eas-decode | eas-publish, then what landed in Redis, then the server stopped.
# Usage: EAS_BIN=build/bin sh scripts/demo.sh
set -u
# The key names below are the default layout (lib/keys), as the REDIS KEYS table of eas-publish(1)
# documents them; the default prefix is pinned so that they hold.
unset EAS_PREFIX
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
tmp=$(mktemp -d)
sock=$tmp/redis.sock
. "$top/scripts/private-redis.sh"
stop() {
	private_redis_stop "$tmp"
	rm -rf "$tmp"
}
trap stop EXIT
trap 'exit 1' INT TERM

for t in eas-encode eas-decode eas-publish; do
	[ -x "$bin/$t" ] || { echo "demo: $bin/$t not built (make all)" >&2; exit 1; }
done
command -v redis-server >/dev/null || { echo "demo: redis-server not installed (make deps)" >&2; exit 1; }

echo "== a private redis-server on $sock"
private_redis_start "$tmp" demo || exit 1
export EAS_REDIS_URL="unix://$sock"

# Someone listening on the live channel, as a dashboard would.
redis-cli -s "$sock" subscribe eas:alerts >"$tmp/live.txt" 2>/dev/null &
sub=$!

echo "== eas-encode (a Tornado Warning for Wood County, OH) | eas-decode -s demo | eas-publish"
"$bin/eas-encode" --org WXR --event TOR --loc 039173 --purge 0030 --sender KCLE/NWS |
	"$bin/eas-decode" -s demo |
	"$bin/eas-publish" --spool "$tmp/spool"
rc=$?
sleep 0.2
kill "$sub" 2>/dev/null
wait "$sub" 2>/dev/null

echo
echo "== redis-cli XLEN eas:alerts"
redis-cli -s "$sock" xlen eas:alerts
echo "== redis-cli --raw XRANGE eas:alerts - +   (field json of each entry)"
redis-cli -s "$sock" --raw xrange eas:alerts - + | grep '^{'
echo "== heard on the live channel eas:alerts"
grep -c '^{' "$tmp/live.txt" | sed 's/$/ message(s)/'
echo "== redis-cli KEYS 'eas:*'"
redis-cli -s "$sock" --scan --pattern 'eas:*' | sort
echo "== redis-cli TTL eas:heartbeat:demo"
redis-cli -s "$sock" ttl eas:heartbeat:demo
echo "== redis-cli HGET eas:metrics demo"
redis-cli -s "$sock" hget eas:metrics demo
echo "== redis-cli GET eas:seen:<id>   (the source that heard it first)"
id=$(redis-cli -s "$sock" --raw xrange eas:alerts - + | grep '^{' | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p' | head -n 1)
[ -n "$id" ] && redis-cli -s "$sock" get "eas:seen:$id"
echo "== stopping redis-server"
exit $rc
