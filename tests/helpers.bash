# helpers.bash: shared set-up for the bats tests (paths to the tools, temp dirs, JSON helpers).
EAS_TOP="${EAS_TOP:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
EAS_BIN="${EAS_BIN:-$EAS_TOP/build/bin}"
EAS_SHARED="${EAS_SHARED:-$EAS_TOP/../shared}"
PATH="$EAS_BIN:$PATH"
export EAS_TOP EAS_BIN EAS_SHARED PATH

# jq -e on FILE: fails (with the filter and the data on stderr) unless FILTER is true.
jqt() {
	jq -e "$1" "$2" >/dev/null || {
		echo "jq false: $1 on $(cat "$2")" >&2
		return 1
	}
}

# The time now in epoch seconds, and epoch seconds as RFC 3339 UTC with milliseconds (as the tools write it).
now_s() { date +%s; }
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%S.000Z; }

# N seconds of digital silence at RATE Hz as s16le.
zeros() {
	head -c $(($1 * $2 * 2)) /dev/zero
}

# The text of man page FILE as a reader sees it, read from its roff source (no man(1) needed,
# which a minimal Debian lacks): comments dropped, request names (.SH, .BR...) taken off their
# lines, font escapes dropped, \- \(em \(dq \e \& undone.  Good enough to grep.
man_text() {
	sed -e '/^\.\\"/d' -e 's/^\.[A-Z][A-Z]* *//' -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' \
		-e 's/\\(em/--/g' -e 's/\\(dq/"/g' -e 's/\\e/\\/g' -e 's/\\&//g' "$1"
}
