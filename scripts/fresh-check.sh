#!/bin/sh
# fresh-check.sh: proves the README's two commands work as the first commands typed on a fresh
# Debian 12: a minbase root (plus git, make, gcc, ca-certificates) made with debootstrap, the
# committed HEAD cloned into it with ../shared beside it, then `make run` and `make check` run in a
# chroot with a clean environment.  Prints each command's exit status and time; exits 1 if either
# failed (or if `make check` skipped a test), 2 on bad usage or a missing prerequisite.
#
# Usage: sh scripts/fresh-check.sh            (as root; `make fresh-check` runs it)
# Environment:
#   EAS_FRESH_CACHE   where the pristine base root is kept between runs
#                     (default /var/cache/eas-tools/bookworm-minbase; made once, ~3 min)
#   EAS_FRESH_MIRROR  the Debian mirror (default: the first one this machine's apt uses)
#   EAS_FRESH_KEEP=1  keep the scratch root afterwards (for a look inside), else it is removed
#   EAS_RUN_SECONDS   how long `make run` keeps the station up (default 40), given to make run only
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${EAS_FRESH_CACHE:-/var/cache/eas-tools/bookworm-minbase}
run_seconds=${EAS_RUN_SECONDS:-40}

say() { printf 'fresh-check: %s\n' "$*" >&2; }
die() {
	say "$*"
	exit 2
}

[ "$(id -u)" -eq 0 ] || die "needs root (debootstrap, chroot and mounts); run it as root or with sudo"
# Its own mount namespace, private, so no mount can reach this machine's and all go with it.
if [ -z "${EAS_FRESH_NS:-}" ] && command -v unshare >/dev/null 2>&1; then
	EAS_FRESH_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi
shared=$(cd "$top/.." && pwd)/shared
[ -d "$shared" ] || die "no ../shared beside the project ($shared): the tests need it"
git -C "$top" rev-parse --verify -q HEAD >/dev/null || die "$top is not a git checkout with a commit"
head=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	say "note: uncommitted changes in $top are not part of the check (it clones HEAD ${head%"${head#???????}"})"
fi

mirror=${EAS_FRESH_MIRROR:-}
if [ -z "$mirror" ]; then
	mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
		sed -n -e 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
			-e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\(http[^[:space:]]*\/debian\)[[:space:]].*/\2/p' |
		head -n 1)
	[ -n "$mirror" ] || mirror=http://deb.debian.org/debian
fi

if ! command -v debootstrap >/dev/null 2>&1; then
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null 2>&1 ||
		{ apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null 2>&1; } ||
		die "cannot install debootstrap with apt-get"
fi

# The pristine base, made once and never used directly: every run works on a copy.
if [ ! -f "$cache/.eas-fresh-complete" ]; then
	say "making the base root in $cache from $mirror (once; a few minutes)"
	rm -rf "$cache.tmp"
	mkdir -p "$(dirname "$cache")"
	t0=$(date +%s)
	if ! debootstrap --variant=minbase --include=git,make,gcc,ca-certificates bookworm "$cache.tmp" "$mirror" \
		>"$(dirname "$cache")/debootstrap.log" 2>&1; then
		tail -n 20 "$(dirname "$cache")/debootstrap.log" >&2
		die "debootstrap failed (log: $(dirname "$cache")/debootstrap.log)"
	fi
	rm -rf "$cache"
	mv "$cache.tmp" "$cache"
	touch "$cache/.eas-fresh-complete"
	say "base root made in $(($(date +%s) - t0)) s"
fi

root=$(mktemp -d /var/tmp/eas-fresh.XXXXXX) || die "cannot make a scratch directory in /var/tmp"
mounted=""
cleanup() {
	for m in $mounted; do umount -R -l "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; done
	mounted=""
	if [ "${EAS_FRESH_KEEP:-0}" = 1 ]; then
		say "scratch root kept in $root"
	elif grep -q " $root/" /proc/self/mounts; then
		# Never remove through a mount: /dev is this machine's own.
		say "not removing $root: something is still mounted under it"
	else
		rm -rf --one-file-system "$root"
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

say "copying the base root to $root"
cp -a "$cache/." "$root/" || die "cannot copy $cache"
rm -f "$root/.eas-fresh-complete"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mkdir -p "$root/work"
git clone -q "$top" "$root/work/eas-tools" || die "git clone of $top failed"
git -C "$root/work/eas-tools" checkout -q "$head"
cp -a "$shared" "$root/work/shared"

# What the tests need, mounted private so nothing propagates back to this machine's /dev.
mnt() {
	target=$1
	shift
	mkdir -p "$target"
	mount "$@" "$target" || die "mount $* $target failed"
	mounted="$target $mounted"
	mount --make-rprivate "$target" 2>/dev/null || true
}
mnt "$root/proc" -t proc proc
mnt "$root/sys" -t sysfs -o ro sysfs
mnt "$root/dev" --rbind /dev # with /dev/pts and /dev/shm under it
for d in pts shm; do mountpoint -q "$root/dev/$d" || mnt "$root/dev/$d" --bind "/dev/$d"; done
mnt "$root/tmp" -t tmpfs -o mode=1777 tmp

# One README command in the chroot with a clean environment (plus NAME=VALUE... given after it);
# sets rc and secs.
in_root() {
	cmd=$1
	shift
	t0=$(date +%s)
	chroot "$root" /usr/bin/env -i HOME=/root LANG=C.UTF-8 TERM=dumb \
		PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin "$@" \
		/bin/sh -c "cd /work/eas-tools && $cmd" </dev/null
	rc=$?
	secs=$(($(date +%s) - t0))
}

log=$root.log
say "== make run (as the README says, first command on a fresh root; log $log.run)"
in_root "make run" EAS_RUN_SECONDS="$run_seconds" >"$log.run" 2>&1
run_rc=$rc run_secs=$secs
tail -n 25 "$log.run"
say "== make check (log $log.check)"
in_root "make check" >"$log.check" 2>&1
check_rc=$rc check_secs=$secs
grep -E '^(not ok|ok .*# (skip|SKIP))|^check:|^skipped:' "$log.check" | tail -n 40

summary=$(grep '^check:' "$log.check" | tail -n 1)
skipped=$(printf '%s\n' "$summary" | sed -n 's/.* \([0-9][0-9]*\) skipped.*/\1/p')

printf '\nfresh-check: HEAD %s on a fresh Debian 12 minbase root\n' "$head"
printf 'fresh-check: make run    exit %s in %s s\n' "$run_rc" "$run_secs"
printf 'fresh-check: make check  exit %s in %s s  (%s)\n' "$check_rc" "$check_secs" "${summary:-no closing line}"
fail=0
[ "$run_rc" -eq 0 ] || {
	say "FAILED: make run exited $run_rc on the first try; see $log.run"
	fail=1
}
[ "$check_rc" -eq 0 ] || {
	say "FAILED: make check exited $check_rc; see $log.check"
	fail=1
}
[ "${skipped:-0}" -eq 0 ] || {
	say "FAILED: make check skipped $skipped test(s) on a fresh root: the project must install what they need"
	fail=1
}
[ "$fail" -eq 0 ] && rm -f "$log.run" "$log.check" && say "passed"
exit "$fail"
