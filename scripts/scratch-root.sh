# scratch-root.sh: sourced by scripts/fresh-check.sh and scripts/systemd-check.sh: a throwaway copy
# of a pristine Debian 12 minbase root (made once with debootstrap and cached), the committed HEAD
# cloned into it, what a chroot needs mounted private, and its removal without ever going through a
# mount.  The caller defines say() and die() (die exits 2) and runs as root.
# shellcheck shell=sh

# scratch_root_ns VAR SCRIPT ARGS...: re-run SCRIPT in a private mount namespace of its own (once:
# VAR marks the second run), so that no mount reaches this machine's and all go with it.
scratch_root_ns() {
	_var=$1
	shift
	eval "_done=\${$_var:-}"
	if [ -z "$_done" ] && command -v unshare >/dev/null 2>&1; then
		export "$_var=1"
		exec unshare -m --propagation private sh "$@"
	fi
}

# scratch_root_base CACHE: make the pristine base root in CACHE with debootstrap (minbase plus git,
# make, gcc, ca-certificates) from this machine's Debian mirror (EAS_FRESH_MIRROR overrides), unless
# it is already there; installs debootstrap if missing.  Dies on failure.
scratch_root_base() {
	_cache=$1
	[ -f "$_cache/.eas-fresh-complete" ] && return 0
	_mirror=${EAS_FRESH_MIRROR:-}
	if [ -z "$_mirror" ]; then
		_mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
			sed -n -e 's/^URIs:[[:space:]]*\(http[^[:space:]]*\/debian\)[[:space:]]*$/\1/p' \
				-e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]\{1,\}\)\{0,1\}\(http[^[:space:]]*\/debian\)[[:space:]].*/\2/p' |
			head -n 1)
		[ -n "$_mirror" ] || _mirror=http://deb.debian.org/debian
	fi
	if ! command -v debootstrap >/dev/null 2>&1; then
		say "installing debootstrap"
		DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null 2>&1 ||
			{ apt-get -o DPkg::Lock::Timeout=600 update -qq >/dev/null 2>&1 &&
				DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq debootstrap >/dev/null 2>&1; } ||
			die "cannot install debootstrap with apt-get"
	fi
	say "making the base root in $_cache from $_mirror (once; a few minutes)"
	rm -rf "$_cache.tmp"
	mkdir -p "$(dirname "$_cache")"
	_t0=$(date +%s)
	if ! debootstrap --variant=minbase --include=git,make,gcc,ca-certificates bookworm "$_cache.tmp" "$_mirror" \
		>"$(dirname "$_cache")/debootstrap.log" 2>&1; then
		tail -n 20 "$(dirname "$_cache")/debootstrap.log" >&2
		die "debootstrap failed (log: $(dirname "$_cache")/debootstrap.log)"
	fi
	rm -rf "$_cache"
	mv "$_cache.tmp" "$_cache"
	touch "$_cache/.eas-fresh-complete"
	say "base root made in $(($(date +%s) - _t0)) s"
}

# scratch_root_make CACHE NAME TOP HEAD: copy CACHE to a new directory /var/tmp/NAME.XXXXXX (set in
# $root) and clone the git checkout TOP at commit HEAD into $root/work/eas-tools.  Dies on failure.
# Set $root's removal up first: trap scratch_root_cleanup EXIT.
scratch_root_make() {
	root=$(mktemp -d "/var/tmp/$2.XXXXXX") || die "cannot make a scratch directory in /var/tmp"
	say "copying the base root $1 to $root"
	cp -a "$1/." "$root/" || die "cannot copy $1"
	rm -f "$root/.eas-fresh-complete"
	cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
	mkdir -p "$root/work"
	git clone -q "$3" "$root/work/eas-tools" || die "git clone of $3 failed"
	git -C "$root/work/eas-tools" checkout -q "$4" || die "no commit $4 in the clone of $3"
}

scratch_mounted=""

# scratch_root_mount TARGET MOUNT-ARGS...: mount (private, so nothing propagates back to this
# machine's /dev) and remember it for scratch_root_umount.  Dies on failure.
scratch_root_mount() {
	_target=$1
	shift
	mkdir -p "$_target"
	mount "$@" "$_target" || die "mount $* $_target failed"
	scratch_mounted="$_target $scratch_mounted"
	mount --make-rprivate "$_target" 2>/dev/null || true
}

# scratch_root_chroot_mounts: what a chroot needs under $root: /proc, /sys (read-only), this
# machine's /dev (with /dev/pts and /dev/shm) and a tmpfs on /tmp.
scratch_root_chroot_mounts() {
	scratch_root_mount "$root/proc" -t proc proc
	scratch_root_mount "$root/sys" -t sysfs -o ro sysfs
	scratch_root_mount "$root/dev" --rbind /dev
	for _d in pts shm; do
		mountpoint -q "$root/dev/$_d" || scratch_root_mount "$root/dev/$_d" --bind "/dev/$_d"
	done
	scratch_root_mount "$root/tmp" -t tmpfs -o mode=1777 tmp
}

# scratch_root_umount: unmount what scratch_root_mount mounted, newest first.
scratch_root_umount() {
	for _m in $scratch_mounted; do umount -R -l "$_m" 2>/dev/null || umount -l "$_m" 2>/dev/null; done
	scratch_mounted=""
}

# scratch_root_cleanup KEEP: unmount, then remove $root unless KEEP is 1 or something is still
# mounted under it (never remove through a mount: /dev is this machine's own).
scratch_root_cleanup() {
	scratch_root_umount
	[ -n "${root:-}" ] && [ -d "$root" ] || return 0
	if [ "$1" = 1 ]; then
		say "scratch root kept in $root"
	elif grep -q " $root/" /proc/self/mounts; then
		say "not removing $root: something is still mounted under it"
	else
		rm -rf --one-file-system "$root"
	fi
}
