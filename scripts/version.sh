#!/bin/sh
# version.sh: prints the version of this tree, for the Makefile's EAS_VERSION: from `git describe`
# in a git checkout (a tag vX.Y.Z gives X.Y.Z[-N-gHASH][-dirty]; no tag: VERSION-gHASH[-dirty]),
# else the VERSION file alone (a release tarball).
top=$(cd "$(dirname "$0")/.." && pwd)
base=$(cat "$top/VERSION" 2>/dev/null || echo 0.0.0)
if [ -e "$top/.git" ] &&
	d=$(git -C "$top" describe --tags --always --dirty --match 'v[0-9]*' 2>/dev/null); then
	case $d in
	v[0-9]*) echo "${d#v}" ;;
	*) echo "$base-g$d" ;;
	esac
else
	echo "$base"
fi
