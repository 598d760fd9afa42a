#!/bin/sh
# systemd-check.sh: runs the systemd units under a real, booted systemd: a copy of fresh-check's
# Debian 12 base root plus systemd, dbus and polkitd, the committed HEAD built and `make install`ed
# in it, booted with systemd-nspawn (private network).  Then eas-monitor@test.service with a file
# source must reach active (READY=1 from eas-publish), feed its watchdog, be restarted by the
# watchdog when its decoder hangs (SIGSTOP), and stop cleanly; eas-ctl-listen.service must make
# `eas-ctl source add/stop/start/delete` real through its polkit rule.  Not part of make check: it
# needs root, systemd-nspawn, the network for apt-get, and a kernel that boots a container; it
# takes about 15 min (most of it installing the build and test packages in the root).
#
# Usage: sh scripts/systemd-check.sh     (as root; `make systemd-check`)
# Exit: 0 every check passed, 1 a check failed, 2 a missing prerequisite or a failed set-up.
# Environment:
#   EAS_FRESH_CACHE     the pristine base root (default /var/cache/eas-tools/bookworm-minbase,
#                       made once with debootstrap as `make fresh-check` does); copied, never changed
#   EAS_SYSTEMD_KEEP=1  keep the scratch root afterwards, else it is removed
# shellcheck disable=SC2015,SC2016,SC2317 # "A && ok || bad": ok never fails; sh -c programs; cleanup runs from a trap
set -u
start=$(date +%s)
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${EAS_FRESH_CACHE:-/var/cache/eas-tools/bookworm-minbase}

say() { printf 'systemd-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root (chroot, mounts, systemd-nspawn)"
. "$top/scripts/scratch-root.sh"
scratch_root_ns EAS_SYSTEMD_NS "$0" "$@"
head=$(git -C "$top" rev-parse HEAD) || die "$top is not a git checkout with a commit"
if ! command -v systemd-nspawn >/dev/null 2>&1; then
	say "installing systemd-container (systemd-nspawn)"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends \
		systemd-container >/dev/null 2>&1 || die "cannot install systemd-container with apt-get"
fi

scratch_root_base "$cache"
root="" ns=""
machine=eas-check-$$
cleanup() {
	if [ -n "$ns" ] && kill -0 "$ns" 2>/dev/null; then
		kill -TERM "$ns" # nspawn shuts the container down in order
		wait "$ns"
	fi
	scratch_root_cleanup "${EAS_SYSTEMD_KEEP:-0}"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# ---- the root: base + systemd, this HEAD built and installed ----
scratch_root_make "$cache" eas-systemd "$top" "$head"
log=$root.log
scratch_root_mount "$root/proc" -t proc proc
scratch_root_mount "$root/dev" --rbind /dev
scratch_root_mount "$root/tmp" -t tmpfs -o mode=1777 tmp
in_chroot() {
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /bin/sh -c "$1"
}
say "installing systemd, dbus, polkitd; building and installing $(printf '%.7s' "$head") (log $log)"
in_chroot 'apt-get -o DPkg::Lock::Timeout=600 update -qq &&
	apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends systemd systemd-sysv dbus polkitd &&
	cd /work/eas-tools && make deps && make -j2 && make install PREFIX=/usr/local &&
	sox -n -r 22050 -c 1 -b 16 /srv/noise.wav synth 3 pinknoise vol 0.05' >"$log" 2>&1 ||
	{ tail -n 20 "$log" >&2; die "set-up in the chroot failed (log $log)"; }
scratch_root_umount
# What make deps pulled in for the tests but the container need not run.
for u in lighttpd postgresql prometheus redis-sentinel apt-daily apt-daily-upgrade man-db e2scrub_reap; do
	ln -sf /dev/null "$root/etc/systemd/system/$u.service"
done
echo '/srv/noise.wav --loop --realtime' >"$root/etc/eas-tools/sources/test.conf"
echo 'EAS_REDIS_URL=redis://127.0.0.1:6379' >"$root/etc/eas-tools/eas-tools.env"

# ---- boot ----
say "booting $root with systemd-nspawn (console in $log.boot)"
systemd-nspawn -q -D "$root" -b --register=no --keep-unit --private-network --console=read-only \
	-M "$machine" >"$log.boot" 2>&1 &
ns=$!
leader="" i=0
while [ -z "$leader" ] && [ $i -lt 100 ]; do
	leader=$(ps -o pid=,args= --ppid "$ns" | awk '$2 ~ /(systemd|init)$/ { print $1; exit }')
	i=$((i + 1))
	sleep 0.2
done
[ -n "$leader" ] || { tail -n 20 "$log.boot" >&2; die "the container did not boot"; }
# A command in the container (as root, with the station's Redis URL).
ct() {
	nsenter -t "$leader" -m -u -i -n -p -- /usr/bin/env EAS_REDIS_URL=redis://127.0.0.1:6379 \
		PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@"
}
i=0
until ct test -S /run/systemd/private; do
	i=$((i + 1))
	[ $i -le 120 ] || die "systemd in the container did not come up"
	sleep 0.5
done
say "container: $(ct timeout 120 systemctl is-system-running --wait)"

# ---- the checks ----
fail=0
ok() { printf 'ok   %s\n' "$*"; }
bad() {
	printf 'FAIL %s\n' "$*"
	fail=1
}
# wait_for SECONDS CMD...: until CMD succeeds in the container.
wait_for() {
	n=$(($1 * 2))
	shift
	until ct "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.5
	done
}
prop() { ct systemctl show -p "$1" --value "$2"; }

m=eas-monitor@test.service
if ct systemctl start "$m" && [ "$(ct systemctl is-active "$m")" = active ]; then
	ok "$m: started and active (Type=notify: eas-publish sent READY=1)"
else
	bad "$m: not active after start"
fi
wait_for 20 sh -c '[ "$(redis-cli exists eas:heartbeat:test)" = 1 ]' &&
	ok "$m: heartbeat in Redis" || bad "$m: no heartbeat in Redis"
w1=$(prop WatchdogTimestampMonotonic "$m")
sleep 12
w2=$(prop WatchdogTimestampMonotonic "$m")
[ "${w1:-0}" != 0 ] && [ "${w2:-0}" -gt "${w1:-0}" ] &&
	ok "$m: WATCHDOG=1 keeps arriving (watchdog timestamp $w1 -> $w2 us)" ||
	bad "$m: watchdog timestamp did not move ($w1 -> $w2)"
dec=$(ct pgrep -x eas-decode)
ct kill -STOP "$dec"
say "eas-decode (pid $dec in the container) stopped with SIGSTOP; the watchdog (30 s) must restart $m"
if wait_for 50 sh -c "[ \$(systemctl show -p NRestarts --value $m) -ge 1 ]" &&
	ct journalctl -q -u "$m" | grep -q 'Watchdog timeout'; then
	ok "$m: restarted by the watchdog when its decoder hung"
else
	bad "$m: not restarted by the watchdog"
fi
wait_for 20 systemctl is-active -q "$m" && ok "$m: active again" || bad "$m: not active again"
ct systemctl stop "$m"
[ "$(ct systemctl is-active "$m")" = inactive ] && ! ct pgrep eas- >/dev/null &&
	ok "$m: stopped, no pipeline process left" || bad "$m: not stopped cleanly"

l=eas-ctl-listen.service
ct systemctl start "$l" && wait_for 10 sh -c 'eas-ctl -t 2 send ping' &&
	ok "$l: active, answers ping" || bad "$l: not answering"
if ct eas-ctl source add demo /srv/noise.wav loop=true realtime=true &&
	[ "$(ct stat -c %U /etc/eas-tools/sources/demo.conf)" = eas-ctl ] &&
	[ "$(ct systemctl is-active eas-monitor@demo.service)" = active ]; then
	ok "$l: source add wrote sources/demo.conf (as eas-ctl) and started eas-monitor@demo"
else
	bad "$l: source add"
fi
ct eas-ctl source stop demo && [ "$(ct systemctl is-active eas-monitor@demo.service)" = inactive ] &&
	ok "$l: source stop stopped it" || bad "$l: source stop"
ct eas-ctl source start demo && [ "$(ct systemctl is-active eas-monitor@demo.service)" = active ] &&
	ok "$l: source start started it" || bad "$l: source start"
ct eas-ctl source delete demo && ! ct test -e /etc/eas-tools/sources/demo.conf &&
	[ "$(ct systemctl is-active eas-monitor@demo.service)" = inactive ] &&
	ok "$l: source delete stopped it and removed its file" || bad "$l: source delete"

if [ "$fail" -ne 0 ]; then
	ct journalctl -q --no-pager -u "$m" -u "$l" -u eas-monitor@demo.service | tail -n 40
	say "FAILED (the container's console: $log.boot)"
	exit 1
fi
rm -f "$log" "$log.boot"
say "passed in $(($(date +%s) - start)) s"
exit 0
