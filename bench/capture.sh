#!/bin/sh
# capture.sh: eas-capture's CPU cost converting a 1-hour MP3 to 22050 Hz mono, beside the ffmpeg CLI.
# Usage: EAS_BIN=build/bin sh bench/capture.sh   (EAS_BENCH_MP3=FILE reuses an MP3; RUNS=N, default 2)
# Target: eas-capture's CPU (user+sys) at most 1.2x that of
#   ffmpeg -i in.mp3 -f s16le -ac 1 -ar 22050 -
# measured in the same run (the lowest of RUNS runs each, alternating).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
runs=${RUNS:-2}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

if [ ! -x "$bin/eas-capture" ]; then
	echo "capture: $bin/eas-capture not found: set EAS_BIN" >&2
	exit 1
fi
mp3=${EAS_BENCH_MP3:-}
if [ -z "$mp3" ]; then
	mp3=$tmp/hour.mp3
	echo "capture: generating a 1-hour 128k stereo MP3 (tone + pink noise)..."
	ffmpeg -nostdin -v error -y \
	    -f lavfi -i "sine=frequency=1000:sample_rate=44100:duration=3600" \
	    -f lavfi -i "anoisesrc=color=pink:amplitude=0.1:sample_rate=44100:duration=3600" \
	    -filter_complex "[0][1]amerge=inputs=2" -ac 2 -b:a 128k "$mp3" || exit 1
fi

# cpu CMD...: user+sys seconds of CMD into $tmp/cpu, the size of its stdout into $tmp/bytes.
cpu() {
	rm -f "$tmp/time"
	/usr/bin/time -f '%U %S' -o "$tmp/time" "$@" | wc -c | tr -d ' ' >"$tmp/bytes"
	if [ ! -s "$tmp/time" ] || grep -q 'exit status' "$tmp/time" || [ "$(cat "$tmp/bytes")" -eq 0 ]; then
		echo "capture: failed: $*" >&2
		return 1
	fi
	awk '{ printf "%.2f\n", $1 + $2 }' "$tmp/time" >"$tmp/cpu"
}
min() { awk -v a="$1" -v b="$2" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }'; }

best_ff="" best_ours=""
i=0
while [ "$i" -lt "$runs" ]; do
	cpu ffmpeg -nostdin -v error -i "$mp3" -f s16le -ac 1 -ar 22050 - || exit 1
	t=$(cat "$tmp/cpu")
	ff_bytes=$(cat "$tmp/bytes")
	best_ff=$(min "$t" "$best_ff")
	cpu "$bin/eas-capture" -r 22050 "$mp3" || exit 1
	t=$(cat "$tmp/cpu")
	our_bytes=$(cat "$tmp/bytes")
	best_ours=$(min "$t" "$best_ours")
	i=$((i + 1))
done
ratio=$(awk -v a="$best_ours" -v b="$best_ff" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')
echo "capture: ffmpeg CLI:  ${best_ff} s CPU (user+sys), ${ff_bytes} bytes out"
echo "capture: eas-capture: ${best_ours} s CPU (user+sys), ${our_bytes} bytes out"
echo "capture: ratio ${ratio} (target <= 1.20)"
if awk -v r="$ratio" 'BEGIN { exit !(r <= 1.2) }'; then
	echo "capture: target met: CPU at most 1.2x ffmpeg"
else
	echo "capture: TARGET MISSED: CPU at most 1.2x ffmpeg"
	exit 1
fi
