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
. "$top/scripts/scratch-root.sh"
scratch_root_ns EAS_FRESH_NS "$0" "$@"
shared=$(cd "$top/.." && pwd)/shared
[ -d "$shared" ] || die "no ../shared beside the project ($shared): the tests need it"
git -C "$top" rev-parse --verify -q HEAD >/dev/null || die "$top is not a git checkout with a commit"
head=$(git -C "$top" rev-parse HEAD)
if [ -n "$(git -C "$top" status --porcelain --untracked-files=no)" ]; then
	say "note: uncommitted changes in $top are not part of the check (it clones HEAD ${head%"${head#???????}"})"
fi

# The pristine base, made once and never used directly: every run works on a copy.
scratch_root_base "$cache"
root=""
trap 'scratch_root_cleanup "${EAS_FRESH_KEEP:-0}"' EXIT
trap 'exit 1' INT TERM HUP
scratch_root_make "$cache" eas-fresh "$top" "$head"
cp -a "$shared" "$root/work/shared"
scratch_root_chroot_mounts

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
