# helpers.bash: shared set-up for the bats tests (paths to the tools, temp dirs, JSON helpers).
EAS_TOP="${EAS_TOP:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
EAS_BIN="${EAS_BIN:-$EAS_TOP/build/bin}"
EAS_SHARED="${EAS_SHARED:-$EAS_TOP/../shared}"
PATH="$EAS_BIN:$PATH"
export EAS_TOP EAS_BIN EAS_SHARED PATH

# The text of man page FILE as a reader sees it, read from its roff source (no man(1) needed,
# which a minimal Debian lacks): font escapes dropped, \- and \(em turned into - and --.
man_text() {
	sed -e 's/\\f[BIRP]//g' -e 's/\\-/-/g' -e 's/\\(em/--/g' -e 's/\\&//g' "$1"
}
