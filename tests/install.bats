#!/usr/bin/env bats
# install.bats: `make install` and `make uninstall` into a DESTDIR (the tree listed), a user's own
# config kept; the installed systemd units pass `systemd-analyze verify` with nothing on stderr
# (templates as instances), and their `systemd-analyze security --offline=true` exposure printed.

load helpers
bats_require_minimum_version 1.5.0

# make in the project with the build directory of the binaries under test.
mk() { make -s --no-print-directory -C "$EAS_TOP" BUILD="$(dirname "$EAS_BIN")" "$@"; }

@test "install: make install / uninstall into a DESTDIR; a user's config survives both" {
	local root=$BATS_TEST_TMPDIR/root
	mkdir -p "$root/etc/eas-tools"
	echo "mine /dev/null" >"$root/etc/eas-tools/station.conf"
	run mk install DESTDIR="$root" PREFIX=/usr/local SYSTEMDUNITDIR=/lib/systemd/system
	echo "$output"
	[ "$status" -eq 0 ]
	(cd "$root" && find . -type f | sort) | tee "$BATS_TEST_TMPDIR/tree"
	local f
	for f in eas-capture eas-decode eas-encode eas-publish eas-station; do
		[ -x "$root/usr/local/bin/$f" ]
		[ -f "$root/usr/local/share/bash-completion/completions/$f" ]
		[ -f "$root/usr/local/share/zsh/site-functions/_$f" ]
	done
	for f in "$EAS_TOP"/tools/*/; do
		f=$(basename "$f")
		[ -x "$root/usr/local/bin/$f" ]
		[ -f "$root/usr/local/share/man/man1/$f.1" ]
	done
	[ -f "$root/usr/local/share/man/man8/eas-station.8" ]
	for f in eas-monitor@.service eas-ctl-listen.service eas-watch-check.service eas-watch-check.timer \
		eas-alert-hook@.service; do
		[ -f "$root/lib/systemd/system/$f" ]
		! grep -q '@BINDIR@' "$root/lib/systemd/system/$f"
	done
	grep -q '^ExecStart=/usr/local/bin/eas-station --one %i$' "$root/lib/systemd/system/eas-monitor@.service"
	[ -f "$root/usr/share/polkit-1/rules.d/50-eas-ctl.rules" ]
	grep -q '^u eas-ctl ' "$root/usr/lib/sysusers.d/eas-tools.conf"
	grep -q '^d /etc/eas-tools/sources 0755 eas-ctl eas-ctl' "$root/usr/lib/tmpfiles.d/eas-tools.conf"
	[ -f "$root/etc/eas-tools/station.conf.example" ]
	[ -f "$root/usr/local/share/doc/eas-tools/examples/station.conf.example" ]
	[ -d "$root/etc/eas-tools/sources" ]
	for f in "$EAS_TOP"/cgi/*.cgi; do
		[ -x "$root/usr/local/lib/eas-tools/cgi/$(basename "$f")" ]
	done
	[ -f "$root/usr/local/lib/eas-tools/cgi/lighttpd-eas.conf" ]
	[ "$(cat "$root/etc/eas-tools/station.conf")" = "mine /dev/null" ]
	# again over itself: the user's file still untouched
	mk install DESTDIR="$root" PREFIX=/usr/local SYSTEMDUNITDIR=/lib/systemd/system
	[ "$(cat "$root/etc/eas-tools/station.conf")" = "mine /dev/null" ]

	run mk uninstall DESTDIR="$root" PREFIX=/usr/local SYSTEMDUNITDIR=/lib/systemd/system
	[ "$status" -eq 0 ]
	(cd "$root" && find . -type f | sort) >"$BATS_TEST_TMPDIR/left"
	cat "$BATS_TEST_TMPDIR/left"
	[ "$(cat "$BATS_TEST_TMPDIR/left")" = "./etc/eas-tools/station.conf" ]
}

@test "install: every unit passes systemd-analyze verify with nothing on stderr; security exposure" {
	command -v systemd-analyze || skip "systemd-analyze missing (make deps installs systemd)"
	local p=$BATS_TEST_TMPDIR/p u
	mk install PREFIX="$p" SYSCONFDIR="$p/etc" SYSTEMDUNITDIR="$p/units" POLKITRULESDIR="$p/polkit" \
		SYSUSERSDIR="$p/sysusers" TMPFILESDIR="$p/tmpfiles"
	# the Documentation= man pages are looked up with man(1), in the installed tree
	export MANPATH="$p/share/man:"
	for u in eas-monitor@test.service eas-ctl-listen.service eas-watch-check.service \
		eas-watch-check.timer eas-alert-hook@test.service; do
		run --separate-stderr systemd-analyze verify "$p/units/$u"
		echo "== $u: exit $status"
		echo "$output"
		echo "$stderr"
		[ "$status" -eq 0 ]
		[ -z "$stderr" ]
		[ -z "$output" ]
	done
	for u in eas-monitor@.service eas-ctl-listen.service eas-watch-check.service eas-alert-hook@.service; do
		run systemd-analyze security --offline=true --root=/ "$p/units/$u"
		echo "$output" | tail -n 1 >&3
		[[ "$output" == *"Overall exposure level"* ]]
	done
}
