#!/bin/sh
# watch.sh: eas-watch at scale: 1,000 sources publish a status line every 5 s (through 20
# eas-publish processes, 50 sources each) into one redis-server, and 7 of them stop after
# their first one; then `eas-watch check`, `status --json` and `prometheus` must each answer in
# under 1 s and name exactly those 7 as stale.  Then 10,000 alerts go into the stream and
# `eas-watch html` must render in under 100 ms (best of 5).  Bounded: about 40 s in all.
# Usage: EAS_BIN=build/bin sh bench/watch.sh   (BENCH_SOURCES=N, default 1000)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
nsrc=${BENCH_SOURCES:-1000}
groups=20
stale_after=22 # seconds of publishing before the measurements
tmp=$(mktemp -d)
. "$top/scripts/private-redis.sh"
pids=""
cleanup() {
	for p in $pids; do kill "$p" 2>/dev/null; done
	wait 2>/dev/null
	private_redis_stop "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for c in redis-server redis-cli python3 jq /usr/bin/time; do
	command -v $c >/dev/null || { echo "watch: $c not found" >&2; exit 1; }
done
for t in eas-publish eas-watch; do
	[ -x "$bin/$t" ] || { echo "watch: $bin/$t not built" >&2; exit 1; }
done
# the system's python when there is one: 20 version-manager shims starting at once can stall
py=$(command -v /usr/bin/python3 || command -v python3)
sock=$tmp/redis.sock
private_redis_start "$tmp" watch || exit 1
export EAS_REDIS_URL="unix://$sock"

# The sources that go quiet: spread over the groups.
stale="src0007 src0142 src0300 src0555 src0721 src0888 src0999"
echo "$stale" | tr ' ' '\n' | sort >"$tmp/want"

# One generator per group: every 5 s a status line per source (and once an RWT alert each), for
# at most stale_after + 3 seconds; the stale sources only the first time.
gen() {
	"$py" - "$1" "$2" "$3" "$4" "$stale" <<'PY'
import sys, time, json
g, per, n, secs, stale = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4]), set(sys.argv[5].split())
names = ["src%04d" % i for i in range(g * per, min(n, (g + 1) * per))]
t0 = time.time()
def iso(t): return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(t)) + ".000Z"
out = sys.stdout
for s in names:
    out.write(json.dumps({"type": "alert", "raw": "ZCZC-WXR-RWT-039000+0015-3341200-KCLE/NWS-",
        "event": "RWT", "id": "rwt-" + s, "source": s, "time": iso(t0 - 86400),
        "issued": iso(t0 - 86400), "expires": iso(t0 - 85500)}) + "\n")
rnd = 0
while time.time() - t0 < secs:
    for s in names:
        if rnd and s in stale:
            continue
        out.write(json.dumps({"type": "status", "source": s, "time": iso(time.time()),
            "samples": 110250, "rms_dbfs": -23.5, "peak_dbfs": -3.0, "silence": False,
            "clipping": False}) + "\n")
    out.flush()
    rnd += 1
    time.sleep(max(0, t0 + rnd * 5 - time.time()))
PY
}
per=$(((nsrc + groups - 1) / groups))
g=0
while [ $g -lt $groups ]; do
	gen $g $per "$nsrc" $((stale_after + 3)) | "$bin/eas-publish" -q -u "unix://$sock" &
	pids="$pids $!"
	g=$((g + 1))
done
echo "watch: $nsrc sources publishing every 5 s through $groups eas-publish; 7 stop after the first"
sleep "$stale_after"

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# timed LABEL CMD...: run CMD with its output in $tmp/LABEL.out; the time in ms in $tmp/LABEL.ms.
timed() {
	label=$1
	shift
	t0=$(now_ms)
	"$@" >"$tmp/$label.out" 2>"$tmp/$label.err"
	echo $? >"$tmp/$label.rc"
	t1=$(now_ms)
	echo $((t1 - t0)) >"$tmp/$label.ms"
}

have=$(redis-cli -s "$sock" hlen eas:metrics)
[ "$have" -ge "$nsrc" ] || { echo "watch: only $have sources in the metrics hash" >&2; exit 1; }
timed check "$bin/eas-watch" check --stale 15
timed status "$bin/eas-watch" status --json --stale 15
timed prom "$bin/eas-watch" prometheus --stale 15

rc=0
# what each one names as stale
head -n 1 "$tmp/check.out" | sed 's/ | .*//' | grep -o 'src[0-9]* heartbeat stale' | cut -d' ' -f1 |
	sort >"$tmp/check.names"
jq -r '.sources[] | select(.state == "stale") | .source' "$tmp/status.out" | sort >"$tmp/status.names"
sed -n 's/^eas_source_up{source="\(.*\)"} 0$/\1/p' "$tmp/prom.out" | sort >"$tmp/prom.names"
for l in check status prom; do
	ms=$(cat "$tmp/$l.ms")
	n=$(wc -l <"$tmp/$l.names")
	if cmp -s "$tmp/want" "$tmp/$l.names"; then
		named="names exactly the 7 stale sources"
	else
		named="names $n sources, not the 7 stale ones: $(tr '\n' ' ' <"$tmp/$l.names")"
		rc=1
	fi
	printf '  %-26s %5d ms  %s\n' "eas-watch $( [ $l = prom ] && echo prometheus || echo $l)" "$ms" "$named"
	[ "$ms" -lt 1000 ] || rc=1
done
[ "$(cat "$tmp/check.rc")" -eq 2 ] || { echo "watch: check exited $(cat "$tmp/check.rc"), not 2" >&2; rc=1; }
printf '  check status line: %.150s...\n' "$(head -n 1 "$tmp/check.out")"
for p in $pids; do kill "$p" 2>/dev/null; done
wait 2>/dev/null
pids=""

# The dashboard with 10,000 alerts in the stream: the best of 5 renders under 100 ms.
"$py" - <<'PY' | "$bin/eas-publish" -q -u "unix://$sock" >/dev/null
import json, time
t = int(time.time())
def iso(x): return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(x))
for i in range(10000):
    print(json.dumps({"type": "alert", "raw": "ZCZC-WXR-SVR-039173+0030-3341200-KCLE/NWS-",
        "event": "SVR", "id": "h%05d" % i, "source": "src%04d" % (i % 1000),
        "time": iso(t - 10000 + i), "expires": iso(t - 10000 + i + 1800)}))
PY
entries=$(redis-cli -s "$sock" xlen eas:alerts)
best=999999
for i in 1 2 3 4 5; do
	timed html "$bin/eas-watch" html --stale 15
	ms=$(cat "$tmp/html.ms")
	[ "$ms" -lt "$best" ] && best=$ms
done
cpu=$( { /usr/bin/time -f '%U %S' "$bin/eas-watch" html --stale 15 >/dev/null; } 2>&1 | awk '{printf "%d", ($1 + $2) * 1000}')
printf '  %-26s %5d ms  (best of 5, %d stream entries, %d sources; %d ms of CPU; load %s)\n' \
	"eas-watch html" "$best" "$entries" "$nsrc" "$cpu" "$(cut -d' ' -f1 /proc/loadavg)"
if [ "$best" -ge 100 ]; then
	echo "watch: html took $best ms, not under 100" >&2
	rc=1
fi
if [ $rc -eq 0 ]; then
	echo "watch: target met: check, status and prometheus each under 1 s with $nsrc sources, stale ones named exactly; html under 100 ms with $entries alerts"
else
	echo "watch: target NOT met"
fi
exit $rc
