#!/bin/sh
# run.sh: runs every benchmark (bench/*.sh but this one) and says which targets were met.
here=$(cd "$(dirname "$0")" && pwd)
rc=0
for b in "$here"/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	echo "== $(basename "$b" .sh)"
	sh "$b" || rc=1
done
exit $rc
