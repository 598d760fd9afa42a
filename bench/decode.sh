#!/bin/sh
# decode.sh: eas-decode's accuracy (beside multimon-ng) on the shared SAME corpus, and its CPU time and peak RSS.
# Usage: EAS_BIN=build/bin sh bench/decode.sh   (EAS_CORPUS=DIR reuses a corpus made by samegen.py --seed 1)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
shared=${EAS_SHARED:-$top/../shared}
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

if [ ! -f "$shared/bench/samegen.py" ]; then
	echo "decode: $shared/bench not found: set EAS_SHARED" >&2
	exit 1
fi
corpus=${EAS_CORPUS:-}
if [ -z "$corpus" ]; then
	corpus=$tmp/seed1
	echo "decode: generating the public corpus (seed 1)..."
	$py "$shared/bench/samegen.py" --out "$corpus" --seed 1 >/dev/null || exit 1
fi
second=$tmp/seed7
echo "decode: generating a second corpus (seed 7)..."
$py "$shared/bench/samegen.py" --out "$second" --seed 7 >/dev/null || exit 1

# accuracy: pass count and wrong headers, beside multimon-ng
score() { # NAME DIR: the table into $tmp/NAME.txt and its totals on stdout
	$py "$shared/bench/score.py" "$2" \
	    ours="$bin/eas-decode --status-interval 0 -r {rate} {file}" \
	    multimon='multimon-ng -q -t raw -a EAS {file}' >"$tmp/$1.txt" 2>&1
	grep -E '^family|^awgn/-[46] |^TOTAL' "$tmp/$1.txt" | sed "s/^/decode: $1: /"
	tail -n 2 "$tmp/$1.txt" | sed "s/^/decode: $1: /"
}
check() { # LABEL CONDITION-EXIT-STATUS
	if [ "$2" -eq 0 ]; then echo "decode: target met: $1"; else echo "decode: TARGET MISSED: $1"; fail=1; fi
}
for c in "seed1 $corpus" "seed7 $second"; do
	set -- $c
	score "$1" "$2"
	r=$(sed -n 's/^ours: pass \([0-9]*\)\/\([0-9]*\), wrong headers \([0-9]*\).*/\1 \2 \3/p' "$tmp/$1.txt")
	awgn4=$(sed -n 's/^awgn\/-4 *\([0-9]*\)\/\([0-9]*\).*/\1 \2/p' "$tmp/$1.txt")
	name=$1
	set -- $r
	[ "$1" -ge 94 ] && [ "$3" -eq 0 ]; check "$name: $1/$2 pass (>= 94), $3 wrong (0)" $?
	set -- $awgn4
	[ "$1" -eq "$2" ]; check "$name: awgn -4 dB: $1/$2" $?
done
$py "$shared/bench/score.py" "$shared/samples/real" ours="$bin/eas-decode --status-interval 0 -r {rate} {file}" \
    multimon='multimon-ng -q -t raw -a EAS {file}' >"$tmp/real.txt" 2>&1
tail -n 2 "$tmp/real.txt" | sed 's/^/decode: real: /'
r=$(sed -n 's/^ours: pass \([0-9]*\)\/\([0-9]*\), wrong headers \([0-9]*\).*/\1 \2 \3/p' "$tmp/real.txt")
set -- $r
[ "$1" -eq "$2" ] && [ "$3" -eq 0 ]; check "real recordings: $1/$2, $3 wrong" $?

# speed and memory on the public corpus as one file; best of three runs each
cat $(ls "$corpus"/*.s16 | sort) >"$tmp/all.s16"
secs=$(awk '{s += $NF} END {print s}' FS='"seconds": ' "$corpus/truth.jsonl" | sed 's/}//')
best() { # COMMAND...: best user+sys CPU seconds and the largest peak RSS (KiB) of 3 runs
	b=999999 m=0
	for i in 1 2 3; do
		/usr/bin/time -f '%U %S %M' -o "$tmp/t" "$@" >/dev/null 2>&1
		set -- "$@"
		read -r u s k <"$tmp/t"
		t=$(echo "$u + $s" | bc -l | sed 's/^\./0./')
		b=$(echo "if ($t < $b) $t else $b" | bc -l)
		[ "$k" -gt "$m" ] && m=$k
	done
	echo "$b $m"
}
set -- $(best "$bin/eas-decode" -r 22050 --status-interval 0 "$tmp/all.s16")
ours=$1 rss=$2
set -- $(best multimon-ng -q -t raw -a EAS "$tmp/all.s16")
mm=$1 mmrss=$2
ratio=$(echo "scale=3; $ours / $mm" | bc -l | sed "s/^\./0./")
echo "decode: cpu on $(du -m "$tmp/all.s16" | cut -f1) MB of PCM: eas-decode ${ours}s, multimon-ng ${mm}s, ratio $ratio"
echo "decode: peak RSS: eas-decode ${rss} KiB, multimon-ng ${mmrss} KiB"
[ "$(echo "$ratio <= 0.5" | bc -l)" -eq 1 ]; check "cpu ratio $ratio <= 0.5" $?
[ "$rss" -le 4096 ]; check "peak RSS ${rss} KiB <= 4096" $?
exit $fail
