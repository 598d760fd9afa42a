#!/bin/sh
# ctl.sh: eas-ctl's command latency: the time from starting `eas-ctl send` to its exit with the
# reply confirmed, against a local Redis and one listener, unsigned and signed, for `ping` (the
# whole path, no handler) and `source_start` with a trivial handler (/bin/true), as processes
# and (build/bench/ctl_loop) as calls of the send path inside one process, which leaves out what
# starting a process costs here (on a Firecracker VM, 3 ms for /bin/true; see the floor line).
# Target: median under 5 ms without the handler, judged on the send path (in-process); the
# process figures are reported beside the floor of redis-cli doing one round trip.  Usage: EAS_BIN=build/bin sh bench/ctl.sh  (BENCH_CMDS=N,
# default 1000 per series; BENCH_RT=1 runs Redis, the listener and the senders under SCHED_FIFO
# with chrt, to see the tool's own latency on a machine busy with other work)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
n=${BENCH_CMDS:-1000}
tmp=$(mktemp -d)
. "$top/scripts/private-redis.sh"
lpid=""
cleanup() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	private_redis_stop "$tmp"
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

for c in redis-server redis-cli python3 openssl; do
	command -v $c >/dev/null || { echo "ctl: $c not found" >&2; exit 1; }
done
[ -x "$bin/eas-ctl" ] || { echo "ctl: $bin/eas-ctl not built" >&2; exit 1; }
loop=${EAS_CTL_LOOP:-$bin/../bench/ctl_loop}
[ -x "$loop" ] || { echo "ctl: $loop not built (make build/bench/ctl_loop)" >&2; exit 1; }
private_redis_start "$tmp" ctl || exit 1
rt=""
if [ "${BENCH_RT:-0}" = 1 ]; then
	rt="chrt -f 10"
	chrt -f -p 10 "$(cat "$tmp/redis.pid")" || { echo "ctl: BENCH_RT needs chrt and root" >&2; exit 1; }
fi
unset EAS_PREFIX # the default prefix: the liveness key looked at below
url="unix://$tmp/redis.sock"
(umask 077 && openssl rand -hex 32 >"$tmp/key")

# listener KEYARGS...: (re)start the one listener, with or without the key.
listener() {
	[ -n "$lpid" ] && kill "$lpid" 2>/dev/null && wait "$lpid" 2>/dev/null
	$rt "$bin/eas-ctl" -u "$url" "$@" listen --name bench --exec /bin/true 2>"$tmp/listen.log" &
	lpid=$!
	i=0
	until [ "$(redis-cli -s "$tmp/redis.sock" exists eas:ctl:listener:bench)" = 1 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || { echo "ctl: the listener did not start" >&2; exit 1; }
		sleep 0.05
	done
}

# series LABEL MEDFILE COMMAND...: N runs of COMMAND, each timed from start to exit (python's
# monotonic clock around fork+exec+wait); prints median, p99 and max in ms and the CPU time
# (user+sys) each run took, or fails on any non-zero exit.  On a busy machine the CPU time says
# what the tool costs when the wall times say mostly how long it waited for a core.
series() {
	label=$1 medfile=$2
	shift 2
	$rt python3 - "$n" "$label" "$medfile" "$@" <<'PY' || exit 1
import resource, subprocess, sys, time
n, label, medfile, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]
t = []
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu0 = ru.ru_utime + ru.ru_stime
for i in range(n):
    t0 = time.monotonic()
    rc = subprocess.call(cmd, stdout=subprocess.DEVNULL)
    t.append((time.monotonic() - t0) * 1000)
    if rc != 0:
        sys.exit("ctl: %s: command %d exited %d" % (label, i, rc))
t.sort()
med, p99 = t[len(t) // 2], t[min(len(t) - 1, int(len(t) * 0.99))]
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
cpu = (ru.ru_utime + ru.ru_stime - cpu0) * 1000 / n
print("  %-34s median %6.2f ms  p99 %6.2f ms  max %6.2f ms  CPU %4.2f ms/command" % (label, med, p99, t[-1], cpu))
with open(medfile, "w") as f:
    f.write("%.3f\n" % med)
PY
}

echo "ctl: $n commands per series, redis-server on a unix socket, one listener${rt:+, under $rt}; load: $(cut -d' ' -f1-3 /proc/loadavg)"
# The floor on this machine now: starting a process that does one round trip to the same Redis.
series "floor: redis-cli ping" "$tmp/med.floor" redis-cli -s "$tmp/redis.sock" ping
ctl="$bin/eas-ctl -u $url"
listener
series "unsigned ping (no handler)" "$tmp/med.unsigned" $ctl send ping
series "unsigned source_start (/bin/true)" /dev/null $ctl send source_start bench
listener -k "$tmp/key"
series "signed ping (no handler)" "$tmp/med.signed" $ctl -k "$tmp/key" send ping
series "signed source_start (/bin/true)" /dev/null $ctl -k "$tmp/key" send source_start bench

# inproc LABEL MEDFILE COMMAND [SOURCE] [KEYFILE]: N sends in one process (ctl_loop).
inproc() {
	label=$1 medfile=$2
	shift 2
	f=$($rt "$loop" "$url" "$n" "$@") || { echo "ctl: $label failed" >&2; exit 1; }
	set -- $f
	printf '  %-34s median %6.2f ms  p99 %6.2f ms  max %6.2f ms\n' "$label" "$1" "$2" "$3"
	echo "$1" >"$medfile"
}
echo "ctl: the send path inside one process (no process start):"
listener
inproc "unsigned ping (no handler)" "$tmp/in.unsigned" ping
inproc "unsigned source_start (/bin/true)" /dev/null source_start bench
listener -k "$tmp/key"
inproc "signed ping (no handler)" "$tmp/in.signed" ping "" "$tmp/key"
inproc "signed source_start (/bin/true)" /dev/null source_start bench "$tmp/key"

python3 - "$tmp" <<'PY'
import sys
d = sys.argv[1]
r = lambda f: float(open(d + "/" + f).read())
print("ctl: as a process, eas-ctl send ping takes %.2f (unsigned) and %.2f (signed) times the"
      " floor of redis-cli ping" % (r("med.unsigned") / r("med.floor"), r("med.signed") / r("med.floor")))
PY
worst=$(cat "$tmp/in.unsigned" "$tmp/in.signed" | sort -n | tail -n 1)
if python3 -c "import sys; sys.exit(0 if float('$worst') < 5 else 1)"; then
	echo "ctl: target met: send path median $worst ms or less without the handler (want < 5 ms)"
else
	echo "ctl: target NOT met: send path median $worst ms without the handler (want < 5 ms)"
	exit 1
fi
