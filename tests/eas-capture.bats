#!/usr/bin/env bats
# eas-capture.bats: command-line tests of eas-capture: formats and rates, stdin, ALSA through a
# file-plugin PCM, live HTTP streams with reconnects, playlists, status lines, signals, errors.

load helpers

H1='ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-'
H2='ZCZC-WXR-SVR-039035+0100-1231700-KCLE/NWS-'

setup_file() {
	export FX="$BATS_FILE_TMPDIR"
	# The alert (3 header bursts, no attention tone, no EOM), then a little silence.
	eas-encode --attention none --no-eom -r 48000 "$H1" |
		ffmpeg -nostdin -v error -y -f s16le -ar 48000 -ac 1 -i - -af apad=pad_dur=0.5 \
			"$FX/a1.wav"
	eas-encode --attention none --no-eom -r 48000 "$H2" |
		ffmpeg -nostdin -v error -y -f s16le -ar 48000 -ac 1 -i - -af apad=pad_dur=0.5 \
			"$FX/a2.wav"
}

setup() {
	PIDS="$BATS_TEST_TMPDIR/pids"
	: >"$PIDS"
}

teardown() {
	local p
	while read -r p; do
		kill "$p" 2>/dev/null || true
	done <"$PIDS"
	while read -r p; do
		wait "$p" 2>/dev/null || true
	done <"$PIDS"
}

# Headers decoded from s16le mono PCM at RATE on stdin, one per line, sorted and unique.
# eas-decode when it is built; else multimon-ng (at 22050 Hz, through sox when needed).
decode() {
	local rate="$1"
	if [ -x "$EAS_BIN/eas-decode" ] && [ "${EAS_CAPTURE_DECODER:-}" != multimon ]; then
		eas-decode -r "$rate" | jq -r 'select(.type == "alert") | .raw'
	else
		if [ "$rate" != 22050 ]; then
			sox -t raw -r "$rate" -e signed -b 16 -c 1 - -t raw -r 22050 -e signed -b 16 -c 1 -
		else
			cat
		fi | multimon-ng -q -t raw -a EAS - 2>/dev/null | sed -n 's/^EAS: *\(ZCZC-.*\)$/\1/p'
	fi | sort -u
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_for SECONDS COMMAND...: poll until COMMAND succeeds; fail after SECONDS.
wait_for() {
	local t=$(($1 * 10))
	shift
	while ! "$@"; do
		t=$((t - 1))
		[ "$t" -gt 0 ] || return 1
		sleep 0.1
	done
}

has_line() { grep -qF -- "$2" "$1" 2>/dev/null; }
# (jq -s: jq 1.6 -e succeeds on empty input.)
has_state() { [ -s "$1" ] && jq -e -s --arg s "$2" 'any(.[]; .state == $s)' "$1" >/dev/null 2>&1; }

# Convert the alert to FILE with ffmpeg at RATE and CHANNELS (extra ffmpeg options after).
convert() {
	local out="$1" rate="$2" ch="$3"
	shift 3
	ffmpeg -nostdin -v error -y -i "$FX/a1.wav" -ar "$rate" -ac "$ch" "$@" "$out"
}

# check_format EXT RATES [ffmpeg options]: every rate, mono and stereo, decodes to exactly H1.
check_format() {
	local ext="$1" rates="$2" r c got bad=""
	shift 2
	for r in $rates; do
		for c in 1 2; do
			convert "$BATS_TEST_TMPDIR/in.$ext" "$r" "$c" "$@"
			got=$(eas-capture "$BATS_TEST_TMPDIR/in.$ext" | decode 22050)
			[ "$got" = "$H1" ] || bad="$bad $ext/$r/$c:[$got]"
		done
	done
	[ -z "$bad" ] || {
		echo "not decoded:$bad"
		return 1
	}
}

ALL_RATES="8000 11025 16000 22050 44100 48000 96000"

# ---- usage and errors ----

@test "help, version and usage errors" {
	run eas-capture -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: eas-capture"* ]]
	[[ "$output" == *"--status-fd"* ]]
	run eas-capture --version
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^eas-capture\ [0-9]+\.[0-9]+\.[0-9]+ ]]
	for args in "" "-r 7999 x.wav" "-r 192001 x.wav" "-r abc x.wav" "a.wav b.wav" \
		"--loop -" "--device-rate 48000 x.wav" "--channels 2 x.wav" "--raw 5 -" \
		"--duration 0 x.wav" "--timeout -1 x.wav" "--status-fd 1 x.wav" \
		"--status-fd 77 x.wav" "--bogus x.wav" "--raw 22050 alsa:default" "alsa:"; do
		# shellcheck disable=SC2086
		run eas-capture $args
		[ "$status" -eq 2 ] || {
			echo "args '$args' gave $status: $output"
			return 1
		}
	done
	run eas-capture -r 7999 x.wav
	[[ "$output" == *"8000..192000"* ]]
}

@test "missing file, unknown format and no audio stream exit 1 with a clear message" {
	run eas-capture "$BATS_TEST_TMPDIR/nope.wav"
	[ "$status" -eq 1 ]
	[[ "$output" == *"nope.wav: No such file or directory"* ]]
	head -c 20000 /dev/urandom >"$BATS_TEST_TMPDIR/junk.bin"
	printf 'hello, not audio\n' >"$BATS_TEST_TMPDIR/text.wav"
	run eas-capture "$BATS_TEST_TMPDIR/text.wav"
	[ "$status" -eq 1 ]
	[[ "$output" == *"unknown or unsupported format"* ]]
	ffmpeg -nostdin -v error -f lavfi -i testsrc=d=1:s=64x48 -c:v mpeg4 "$BATS_TEST_TMPDIR/v.mp4"
	run eas-capture "$BATS_TEST_TMPDIR/v.mp4"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no audio stream"* ]]
}

# ---- formats, rates, channels ----

@test "WAV at every rate, mono and stereo, decodes to the exact header" {
	check_format wav "$ALL_RATES"
}

@test "FLAC at every rate, mono and stereo, decodes to the exact header" {
	check_format flac "$ALL_RATES"
}

@test "Ogg Vorbis at every rate, mono and stereo, decodes to the exact header" {
	check_format ogg "$ALL_RATES" -c:a libvorbis
}

@test "MP3 at every rate it has (not 96 kHz), mono and stereo, decodes to the exact header" {
	# LAME's default bit rate at 8 kHz mono is 8 kb/s, which no decoder survives.
	check_format mp3 "8000 11025 16000 22050 44100 48000" -b:a 64k
}

@test "AAC in M4A at every rate, mono and stereo, decodes to the exact header" {
	check_format m4a "$ALL_RATES"
}

@test "Opus at its rates (8, 12, 16, 24, 48 kHz), mono and stereo, decodes to the exact header" {
	check_format opus "8000 12000 16000 24000 48000" -c:a libopus
}

@test "output at every rate decodes at that rate" {
	local r got bad=""
	convert "$BATS_TEST_TMPDIR/in.flac" 44100 2
	for r in 8000 11025 16000 22050 44100 48000; do
		got=$(eas-capture -r "$r" "$BATS_TEST_TMPDIR/in.flac" | decode "$r")
		[ "$got" = "$H1" ] || bad="$bad $r:[$got]"
	done
	[ -z "$bad" ] || {
		echo "not decoded:$bad"
		return 1
	}
	# 96 kHz out: only the length is checked (6.5 s of input at 96000 Hz, 2 bytes a sample).
	n=$(eas-capture -r 96000 "$BATS_TEST_TMPDIR/in.flac" | wc -c)
	[ $((n % 2)) -eq 0 ]
	[ "$n" -gt $((96000 * 2 * 6)) ]
}

# ---- stdin ----

@test "stdin: a probed FLAC, and --raw s16le mono and stereo" {
	convert "$BATS_TEST_TMPDIR/in.flac" 32000 2
	got=$(eas-capture - <"$BATS_TEST_TMPDIR/in.flac" | decode 22050)
	[ "$got" = "$H1" ]
	ffmpeg -nostdin -v error -i "$FX/a1.wav" -f s16le -ar 16000 -ac 1 - >"$BATS_TEST_TMPDIR/m.raw"
	got=$(eas-capture --raw 16000 - <"$BATS_TEST_TMPDIR/m.raw" | decode 22050)
	[ "$got" = "$H1" ]
	ffmpeg -nostdin -v error -i "$FX/a1.wav" -f s16le -ar 11025 -ac 2 - >"$BATS_TEST_TMPDIR/s.raw"
	got=$(eas-capture --raw 11025 --channels 2 - <"$BATS_TEST_TMPDIR/s.raw" | decode 22050)
	[ "$got" = "$H1" ]
	# Raw from a file works too, and the length is the converted length.
	n=$(eas-capture -r 8000 --raw 16000 "$BATS_TEST_TMPDIR/m.raw" | wc -c)
	m=$(stat -c %s "$BATS_TEST_TMPDIR/m.raw")
	[ $((n - m / 2)) -ge -64 ] && [ $((n - m / 2)) -le 64 ]
}

# ---- duration, loop, realtime, signals, closed pipe ----

@test "--duration is exact; --loop repeats a file until it" {
	n=$(eas-capture --duration 1.5 "$FX/a1.wav" | wc -c)
	[ "$n" -eq 66150 ]
	n=$(eas-capture -r 8000 --duration 2 "$FX/a1.wav" | wc -c)
	[ "$n" -eq 32000 ]
	# 20 s from a 6.5 s file: three and a bit passes, the header decoded on each.
	n=$(eas-capture --loop --duration 20 "$FX/a1.wav" | tee "$BATS_TEST_TMPDIR/loop.raw" | wc -c)
	[ "$n" -eq 882000 ]
	got=$(decode 22050 <"$BATS_TEST_TMPDIR/loop.raw")
	[ "$got" = "$H1" ]
}

@test "--realtime paces a file; SIGTERM ends cleanly after whole samples with a final status" {
	local t0 t1
	t0=$(date +%s%N)
	n=$(eas-capture --realtime --duration 1.2 "$FX/a1.wav" | wc -c)
	t1=$(date +%s%N)
	[ "$n" -eq 52920 ]
	[ $(((t1 - t0) / 1000000)) -ge 1000 ]
	eas-capture --realtime --status-fd 3 "$FX/a1.wav" 3>"$BATS_TEST_TMPDIR/st.json" \
		>"$BATS_TEST_TMPDIR/out.raw" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	echo "$pid" >>"$PIDS"
	sleep 1.5
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	n=$(stat -c %s "$BATS_TEST_TMPDIR/out.raw")
	[ $((n % 2)) -eq 0 ]
	[ "$n" -gt 40000 ] && [ "$n" -lt 110000 ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/st.json" | jq -r .state)" = stopped ]
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/st.json" | jq -r .bytes_out)" -eq "$n" ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

@test "a closed stdout pipe ends quietly with status 0" {
	run bash -c 'timeout 10 eas-capture --loop "$1" 2>"$2" | head -c 1000 >/dev/null; echo "${PIPESTATUS[0]}"' \
		_ "$FX/a1.wav" "$BATS_TEST_TMPDIR/err"
	[ "$output" = 0 ]
	[ ! -s "$BATS_TEST_TMPDIR/err" ]
}

# ---- playlists ----

@test "m3u and pls playlists play their first working entry, also over HTTP" {
	convert "$BATS_TEST_TMPDIR/in.ogg" 22050 1 -c:a libvorbis
	printf '#EXTM3U\n# a dead entry first\n%s/missing.wav\nin.ogg\n' "$BATS_TEST_TMPDIR" \
		>"$BATS_TEST_TMPDIR/list.m3u"
	got=$(eas-capture "$BATS_TEST_TMPDIR/list.m3u" 2>"$BATS_TEST_TMPDIR/err" | decode 22050)
	[ "$got" = "$H1" ]
	grep -q "missing.wav" "$BATS_TEST_TMPDIR/err"
	printf '[playlist]\nNumberOfEntries=2\nFile1=%s/gone.mp3\nFile2=%s/in.ogg\n' \
		"$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR" >"$BATS_TEST_TMPDIR/list.pls"
	got=$(eas-capture "$BATS_TEST_TMPDIR/list.pls" 2>/dev/null | decode 22050)
	[ "$got" = "$H1" ]
	printf 'nothing here\n# comment\n' >"$BATS_TEST_TMPDIR/empty.m3u"
	run eas-capture "$BATS_TEST_TMPDIR/empty.m3u"
	[ "$status" -eq 1 ]
	# The same m3u served over HTTP: the relative entry resolves against the playlist URL.
	local port
	port=$(free_port)
	(cd "$BATS_TEST_TMPDIR" && exec python3 -m http.server -b 127.0.0.1 "$port") \
		>/dev/null 2>&1 &
	echo $! >>"$PIDS"
	wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $port), 1)"
	got=$(timeout 30 eas-capture --no-reconnect "http://127.0.0.1:$port/list.m3u" 2>/dev/null |
		decode 22050)
	[ "$got" = "$H1" ]
}

# ---- live network streams ----

# live_test FORMAT CODEC: a stream server on 127.0.0.1 plays the first alert and ends; a new
# one on the same URL plays the second; the same eas-capture decodes both and reports the
# reconnect on its status fd.
live_test() {
	local fmt="$1" codec="$2" port url d="$BATS_TEST_TMPDIR"
	port=$(free_port)
	url="http://127.0.0.1:$port/live.$fmt"
	mkfifo "$d/pcm"
	ffmpeg -nostdin -v error -re -i "$FX/a1.wav" -c:a "$codec" -f "$fmt" -listen 1 "$url" &
	local srv1=$!
	echo "$srv1" >>"$PIDS"
	eas-capture -s test1 --status-fd 3 "$url" 3>"$d/status.json" 2>"$d/err" >"$d/pcm" &
	echo $! >>"$PIDS"
	decode 22050 <"$d/pcm" >"$d/headers" &
	echo $! >>"$PIDS"
	# The decoder only sorts at the end; watch the status instead, then the server's end.
	wait_for 30 has_state "$d/status.json" playing
	local rc=0
	timeout 30 tail --pid="$srv1" -f /dev/null || rc=$?
	[ "$rc" -eq 0 ]
	wait_for 20 has_state "$d/status.json" reconnecting
	ffmpeg -nostdin -v error -re -i "$FX/a2.wav" -c:a "$codec" -f "$fmt" -listen 1 "$url" &
	local srv2=$!
	echo "$srv2" >>"$PIDS"
	timeout 40 tail --pid="$srv2" -f /dev/null
	# Second stream fully sent: let the capture reach its next reconnect, then stop it.
	wait_for 20 bash -c '[ "$(jq -s "[.[] | select(.state == \"reconnecting\")] | length" "$1")" -ge 2 ]' _ "$d/status.json"
	kill -TERM "$(sed -n 2p "$PIDS")"
	wait_for 10 bash -c '[ -s "$1" ] || ! kill -0 "$2" 2>/dev/null' _ "$d/headers" "$(sed -n 3p "$PIDS")"
	sleep 0.5
	cat "$d/err"
	echo "headers: $(cat "$d/headers")"
	[ "$(cat "$d/headers")" = "$(printf '%s\n%s\n' "$H1" "$H2" | sort)" ]
	# Status: connecting, playing, reconnecting, playing again with reconnects counted.
	jq -e -s 'map(.state) | index("reconnecting") as $r | $r != null and (.[$r:] | index("playing")) != null' "$d/status.json" >/dev/null
	jq -e -s 'map(select(.state == "playing")) | last | .reconnects >= 1 and .source == "test1" and .bytes_out > 0' "$d/status.json" >/dev/null
	jq -e -s 'map(select(.state == "reconnecting") | .last_error | test("end of stream")) | any' "$d/status.json" >/dev/null
	# A heartbeat: some line repeats the state of the line before it (every 5 s).
	jq -e -s '[range(1; length) as $i | select(.[$i].state == .[$i - 1].state)] | length >= 1' "$d/status.json" >/dev/null
	[ "$(tail -n 1 "$d/status.json" | jq -r .state)" = stopped ]
	grep -q "reconnecting in" "$d/err"
}

@test "live MP3 stream over HTTP: both alerts decoded across a server restart" {
	live_test mp3 libmp3lame
}

@test "live Ogg Vorbis stream over HTTP: both alerts decoded across a server restart" {
	live_test ogg libvorbis
}

# A server that answers every connection with HTTP headers and an MP3 file, then stays silent.
stalled_server() {
	python3 -c '
import socket, sys, time
data = open(sys.argv[2], "rb").read()
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(8)
s.settimeout(1)
conns, end = [], time.time() + 60
while time.time() < end:
    try:
        c, _ = s.accept()
        c.recv(4096)
        c.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: audio/mpeg\r\n\r\n" + data)
        conns.append(c)
    except socket.timeout:
        pass
' "$1" "$2" &
	echo $! >>"$PIDS"
	wait_for 10 python3 -c "import socket; socket.create_connection(('127.0.0.1', $1), 1)"
}

@test "a stalled stream: SIGTERM ends a blocked read at once; after 15 s without data it is dropped" {
	local port d="$BATS_TEST_TMPDIR"
	convert "$d/in.mp3" 44100 2 -b:a 128k
	port=$(free_port)
	stalled_server "$port" "$d/in.mp3"
	eas-capture --status-fd 3 "http://127.0.0.1:$port/s.mp3" 3>"$d/st.json" >/dev/null 2>"$d/err" &
	local pid=$!
	echo "$pid" >>"$PIDS"
	wait_for 10 has_state "$d/st.json" playing
	sleep 1
	local t0 rc=0
	t0=$(date +%s%N)
	kill -TERM "$pid"
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	[ $((($(date +%s%N) - t0) / 1000000)) -lt 1000 ]
	[ "$(tail -n 1 "$d/st.json" | jq -r .state)" = stopped ]
	run timeout 30 eas-capture --no-reconnect "http://127.0.0.1:$port/s.mp3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"no data for 15 s"* ]]
}

@test "unreachable URL: retried with backoff until --timeout (exit 3), or exit 1 with --no-reconnect" {
	local port
	port=$(free_port)
	run eas-capture --no-reconnect "http://127.0.0.1:$port/x.mp3"
	[ "$status" -eq 1 ]
	[[ "$output" == *"Connection refused"* ]]
	run timeout 20 eas-capture --timeout 2.5 --status-fd 2 "http://127.0.0.1:$port/x.mp3"
	[ "$status" -eq 3 ]
	[[ "$output" == *"retrying in 0.5 s (attempt 1)"* ]]
	[[ "$output" == *"retrying in 1.0 s (attempt 2)"* ]]
	[[ "$output" == *'"state":"reconnecting"'* ]]
	[[ "$output" == *"giving up"* ]]
}

# ---- ALSA ----

# An ALSA configuration whose PCM "easfile" reads a raw file (no sound card needed).
alsa_conf() {
	export HOME="$BATS_TEST_TMPDIR/home"
	mkdir -p "$HOME"
	cat >"$HOME/.asoundrc" <<EOF
pcm.easfile {
	type file
	slave.pcm "null"
	file "/dev/null"
	infile "$1"
	format "raw"
}
EOF
}

@test "ALSA: a file-plugin PCM decodes; stereo 44.1 kHz device; absent device fails clearly" {
	local d="$BATS_TEST_TMPDIR"
	ffmpeg -nostdin -v error -i "$FX/a1.wav" -f s16le -ar 22050 -ac 1 - >"$d/m.raw"
	alsa_conf "$d/m.raw"
	secs=$(awk -v n="$(stat -c %s "$d/m.raw")" 'BEGIN { print n / 44100 }')
	got=$(eas-capture --device-rate 22050 --channels 1 --duration "$secs" alsa:easfile | decode 22050)
	[ "$got" = "$H1" ]
	ffmpeg -nostdin -v error -i "$FX/a1.wav" -f s16le -ar 44100 -ac 2 - >"$d/s.raw"
	alsa_conf "$d/s.raw"
	got=$(eas-capture -r 16000 --device-rate 44100 --channels 2 --duration "$secs" \
		--status-fd 3 alsa:easfile 3>"$d/st.json" | decode 16000)
	[ "$got" = "$H1" ]
	jq -e -s '.[-1].state == "stopped" and .[-1].input_rate == 44100 and .[-1].input_channels == 2' "$d/st.json"
	run eas-capture alsa:nosuchpcm
	[ "$status" -eq 1 ]
	[[ "$output" == *"alsa:nosuchpcm: cannot open capture device"* ]]
	run eas-capture alsa:hw:29,0
	[ "$status" -eq 1 ]
	[[ "$output" == *"alsa:hw:29,0: cannot open capture device"* ]]
}

@test "ALSA: SIGHUP reopens the device and is counted as a reconnect" {
	local d="$BATS_TEST_TMPDIR"
	ffmpeg -nostdin -v error -i "$FX/a1.wav" -f s16le -ar 22050 -ac 1 - >"$d/m.raw"
	alsa_conf "$d/m.raw"
	eas-capture --realtime --device-rate 22050 --channels 1 --status-fd 3 alsa:easfile \
		3>"$d/st.json" >/dev/null 2>"$d/err" &
	local pid=$!
	echo "$pid" >>"$PIDS"
	wait_for 10 has_state "$d/st.json" playing
	kill -HUP "$pid"
	wait_for 10 bash -c 'jq -e -s "map(select(.state == \"playing\")) | last | .reconnects == 1" "$1" >/dev/null' _ "$d/st.json"
	kill -TERM "$pid"
	local rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ]
	grep -q "SIGHUP, reconnecting" "$d/err"
}
