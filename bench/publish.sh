#!/bin/sh
# publish.sh: eas-publish's throughput (alert lines per second into a local Redis), beside the
# ceiling of `redis-benchmark -c 1 -P 32` XADD in the same run.  Target: 100k lines/s or half the
# ceiling.  Usage: EAS_BIN=build/bin sh bench/publish.sh   (BENCH_LINES=N, default 200000;
# BENCH_ROUNDS=N, default 3: the best of N interleaved rounds of each is compared)
set -u
# eas:alerts is the default layout (lib/keys; eas-publish(1), REDIS KEYS): pin the default prefix.
unset EAS_PREFIX
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
n=${BENCH_LINES:-200000}
tmp=$(mktemp -d)
. "$top/scripts/private-redis.sh"
cleanup() {
	private_redis_stop "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for c in redis-server redis-cli redis-benchmark python3 /usr/bin/time; do
	command -v $c >/dev/null || { echo "publish: $c not found" >&2; exit 1; }
done
[ -x "$bin/eas-publish" ] || { echo "publish: $bin/eas-publish not built" >&2; exit 1; }

sock=$tmp/redis.sock
private_redis_start "$tmp" publish || exit 1

# The input: N distinct alerts as eas-decode writes them (about 600 bytes each).
python3 - "$n" >"$tmp/alerts.jsonl" <<'PY'
import sys, json
n = int(sys.argv[1])
w = sys.stdout.write
for i in range(n):
    w(json.dumps({"type": "alert",
        "raw": "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-",
        "originator": "WXR", "originator_name": "National Weather Service",
        "event": "TOR", "event_name": "Tornado Warning", "significance": "warning",
        "locations": [{"code": "039173", "part": 0, "part_name": "all", "state": "OH",
                       "state_name": "Ohio", "county": "Wood County"}],
        "purge": "0030", "purge_minutes": 30, "issued": "2026-05-03T16:45:00.000Z",
        "expires": "2036-05-03T17:15:00.000Z", "sender": "KCLE/NWS", "id": "%016x" % i,
        "bursts": 3, "bit_errors": 0, "confidence": 1.0, "source": "bench",
        "time": "2026-05-03T16:45:10.123Z", "offset_s": i * 0.5}, separators=(",", ":")) + "\n")
PY
payload=$(head -n 1 "$tmp/alerts.jsonl")

now_ms() { python3 -c 'import time; print(int(time.monotonic()*1000))'; }

# run LABEL ARGS...: one eas-publish over the whole input; prints lines/s.
run() {
	label=$1
	shift
	redis-cli -s "$sock" flushall >/dev/null
	t0=$(now_ms)
	/usr/bin/time -f '%M %U %S' -o "$tmp/time.$label" \
		"$bin/eas-publish" -q -u "unix://$sock" --maxlen $((n * 2)) "$@" <"$tmp/alerts.jsonl" || {
		echo "publish: eas-publish failed ($label)" >&2
		exit 1
	}
	t1=$(now_ms)
	read -r rss ucpu scpu <"$tmp/time.$label"
	got=$(redis-cli -s "$sock" xlen eas:alerts)
	[ "$got" -eq "$n" ] || { echo "publish: $label stored $got of $n" >&2; exit 1; }
	rate=$((n * 1000 / (t1 - t0 > 0 ? t1 - t0 : 1)))
	printf '  %-34s %8d lines/s  (%d lines in %d ms; CPU %ss user %ss sys; peak RSS %d KiB)\n' \
		"$label" "$rate" "$n" $((t1 - t0)) "$ucpu" "$scpu" "$rss"
	echo "$rate" >"$tmp/rate.$label"
}

# ceiling: one redis-benchmark run of plain pipelined XADD; prints requests/s.
ceiling() {
	redis-cli -s "$sock" flushall >/dev/null
	c=$(redis-benchmark -s "$sock" -c 1 -P 32 -n "$n" -q \
		XADD bench:stream MAXLEN '~' 100000 '*' json "$payload" 2>/dev/null |
		tr '\r' '\n' | sed -n 's/.*: \([0-9.]*\) requests per second.*/\1/p' | tail -n 1)
	c=${c%.*}
	[ -n "$c" ] || { echo "publish: redis-benchmark gave no figure" >&2; exit 1; }
	printf '  %-34s %8d requests/s\n' "redis-benchmark -c 1 -P 32 XADD" "$c"
	echo "$c" >"$tmp/rate.ceiling"
}

# Rounds interleave the runs so that both sides see the same machine; the best
# of each is compared (these machines are noisy).
rounds=${BENCH_ROUNDS:-3}
echo "publish: $n alert lines, redis-server on a unix socket, best of $rounds rounds"
ours=0 top=0 r=1
while [ $r -le "$rounds" ]; do
	echo " round $r"
	run "eas-publish" >"$tmp/out" && cat "$tmp/out"
	run "eas-publish--spool" --spool "$tmp/spool" >"$tmp/out" && cat "$tmp/out"
	ceiling >"$tmp/out" && cat "$tmp/out"
	x=$(cat "$tmp/rate.eas-publish")
	[ "$x" -gt "$ours" ] && ours=$x
	x=$(cat "$tmp/rate.ceiling")
	[ "$x" -gt "$top" ] && top=$x
	rm -rf "$tmp/spool"
	r=$((r + 1))
done
ceiling=$top
printf '  best: eas-publish %d lines/s, redis-benchmark XADD %d requests/s\n' "$ours" "$ceiling"

pct=$((ours * 100 / ceiling))
if [ "$ours" -ge 100000 ] || [ $((ours * 2)) -ge "$ceiling" ]; then
	echo "publish: target met: $ours lines/s, $pct % of the XADD ceiling (want 100000 or 50 %)"
else
	echo "publish: target NOT met: $ours lines/s, $pct % of the XADD ceiling (want 100000 or 50 %)"
	exit 1
fi
