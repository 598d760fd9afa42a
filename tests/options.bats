#!/usr/bin/env bats
# options.bats: every option a tool's --help names is in its man page and in its bash and zsh
# completions; every man page has a SIGNALS section and refers only to pages that exist.
# Man pages are read as files (man_text), not through man(1).
load helpers

TOOLS="eas-capture eas-decode eas-encode eas-publish eas-ctl eas-watch"

# The options TOOL's --help names: -x and --long-name, one a line.
help_options() {
	"$1" --help | grep -oE -- '(^|[ ,[])--?[a-zA-Z][a-z0-9-]*' | sed 's/^[ ,[]//' | sort -u
}

# has_option FILE OPT: OPT appears in FILE as a whole option (-s is not the -s of --source).
has_option() {
	grep -qE -- "(^|[^-a-zA-Z0-9])$2([^-a-zA-Z0-9]|\$)" "$1"
}

@test "every option in --help is in the man page and both completions" {
	for t in $TOOLS; do
		man_text "$EAS_TOP/man/$t.1" >"$BATS_TEST_TMPDIR/$t.txt"
		n=0
		for o in $(help_options "$t"); do
			n=$((n + 1))
			has_option "$BATS_TEST_TMPDIR/$t.txt" "$o" || { echo "$t: $o not in man/$t.1"; false; }
			has_option "$EAS_TOP/completions/bash/$t" "$o" || { echo "$t: $o not in completions/bash/$t"; false; }
			has_option "$EAS_TOP/completions/zsh/_$t" "$o" || { echo "$t: $o not in completions/zsh/_$t"; false; }
		done
		[ "$n" -ge 5 ] || { echo "$t: only $n options found in --help"; false; }
	done
}

# The options the OPTIONS section of man page FILE describes: those in the tag of each .TP and .TQ.
man_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$1" | awk 'p { print; p = 0 } /^\.T[PQ]/ { p = 1 }' |
		man_text /dev/stdin | grep -oE -- '(^|[ ,[])--?[a-zA-Z][a-z0-9-]*' | sed 's/^[ ,[]//' | sort -u
}

@test "every option the man page's OPTIONS section describes is in --help" {
	# eas-capture's page described -v, --verbose while --help said only -v
	for t in $TOOLS; do
		help_options "$t" >"$BATS_TEST_TMPDIR/$t.help"
		n=0
		for o in $(man_options "$EAS_TOP/man/$t.1"); do
			n=$((n + 1))
			grep -qx -- "$o" "$BATS_TEST_TMPDIR/$t.help" || { echo "$t: $o of man/$t.1 not in --help"; false; }
		done
		[ "$n" -ge 5 ] || { echo "$t: only $n options found in man/$t.1"; false; }
	done
}

@test "every long option in --help is in the man page's SYNOPSIS or OPTIONS, and in the usage line" {
	# eas-publish's SYNOPSIS and usage once lacked --wait-timeout, --prefix and --maxlen
	for o in --wait-timeout --prefix --maxlen; do
		eas-publish --help | sed -n '1,/^[A-Z]/p' | grep -q -- "\[$o " || { echo "usage lacks $o"; false; }
		man_text "$EAS_TOP/man/eas-publish.1" | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p' | grep -q -- "^\[ $o\$" ||
			{ echo "SYNOPSIS lacks $o"; false; }
	done
}

@test "every man page has a SIGNALS section that says what SIGHUP and a closed pipe do" {
	for t in $TOOLS; do
		f="$EAS_TOP/man/$t.1"
		grep -q '^\.SH SIGNALS' "$f" || { echo "$t: no SIGNALS section"; false; }
		sig=$(sed -n '/^\.SH SIGNALS/,/^\.SH [A-Z]/p' "$f" | man_text /dev/stdin)
		[[ "$sig" == *SIGHUP* ]] || { echo "$t: SIGNALS does not say what SIGHUP does"; false; }
		[[ "$sig" == *"status 0"* || "$sig" == *"exit status is that of a normal end"* ]] ||
			{ echo "$t: SIGNALS does not say how a closed pipe ends it"; false; }
	done
}

@test "man pages refer only to eas-tools pages that exist" {
	for f in "$EAS_TOP"/man/*.1; do
		for ref in $(grep -oE '^\.BR eas-[a-z]+ \(1\)' "$f" | awk '{print $2}' | sort -u); do
			[ -f "$EAS_TOP/man/$ref.1" ] || { echo "$(basename "$f") refers to $ref(1), which does not exist"; false; }
		done
	done
}
