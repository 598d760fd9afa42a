# helpers.bash: shared set-up for the bats tests (paths to the tools, temp dirs, JSON helpers).
EAS_TOP="${EAS_TOP:-$(cd "$BATS_TEST_DIRNAME/.." && pwd)}"
EAS_BIN="${EAS_BIN:-$EAS_TOP/build/bin}"
EAS_SHARED="${EAS_SHARED:-$EAS_TOP/../shared}"
PATH="$EAS_BIN:$PATH"
export EAS_TOP EAS_BIN EAS_SHARED PATH
