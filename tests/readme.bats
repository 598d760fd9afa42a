#!/usr/bin/env bats
# readme.bats: the README's examples work.  Every command of its ```sh blocks is either run here,
# verbatim, offline (in a temp dir with the files it names made first) and its result checked,
# or listed below as needing what a test cannot have (a sound card, the network, a station's
# Redis, a run that never ends).  A new example must be added to one of the two lists.
load helpers
bats_require_minimum_version 1.5.0

README="$EAS_TOP/README.md"

# The commands of the README's ```sh blocks, one a line: comments (whole lines, and a '#' after
# two spaces), here-document bodies and blank lines dropped, lines ending in '\' or '|' joined
# with the next.
readme_commands() {
	awk '/^```sh$/ { f = 1; next } /^```$/ { f = 0; next } f' "$README" | awk '
		here != "" { if ($0 == here) here = ""; next }
		/^[[:space:]]*(#|$)/ { next }
		{
			line = $0
			sub(/[[:space:]][[:space:]]+#.*$/, "", line)
			if (cont) sub(/^[[:space:]]+/, "", line)
			acc = cont ? acc " " line : line
			if (acc ~ /\\$/) { sub(/[[:space:]]*\\$/, "", acc); cont = 1; next }
			if (acc ~ /\|$/) { cont = 1; next }
			print acc
			cont = 0
			if (match(acc, /<<'"'"'?[A-Z]+'"'"'?/)) { here = substr(acc, RSTART + 2, RLENGTH - 2); gsub(/'"'"'/, "", here) }
		}'
}

# Run here (see the checks in the tests below).
RUN=(
	"eas-decode -r 48000 --now 2026-11-22T14:05:00Z capture.s16"
	"eas-decode -r 48000 capture.s16 | jq -c 'select(.type == \"alert\") | {event_name, locations: [.locations[].county]}'"
	"eas-decode -r 48000 --raw capture.s16"
	"eas-encode 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' | eas-decode"
	"eas-encode 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' | multimon-ng -q -t raw -a EAS -"
	"espeak-ng -w msg.wav 'This is a test of the Emergency Alert System.'"
	"eas-encode -r 48000 -m msg.wav -o alert.wav 'ZCZC-EAS-RMT-039173+0100-1231645-WXYZ/FM -'"
	"eas-capture -r 8000 --duration 10 alert.mp3 > alert.raw"
)

# Not run: each needs a sound card, the network, a station's servers, or never ends.
NOT_RUN=(
	"make run"   # a demo station; make check runs this file
	"make check" # the same
	"eas-capture -s kcle-nwr alsa:hw:1,0 | eas-decode -s kcle-nwr | eas-publish -s kcle-nwr"
	"eas-capture -s kec61 --status-fd 3 https://example.org/kec61.mp3 3>>kec61.status | eas-decode -s kec61"
	"eas-capture --device-rate 48000 --channels 2 alsa:hw:1,0 | eas-decode"
	"eas-capture --realtime --loop alert.flac | eas-decode"
	"eas-capture alsa:hw:1,0 | eas-decode -s kec61 --record /var/lib/eas/rec --record-format flac"
	"eas-capture https://example.org/nwr.mp3 | eas-decode -s kcle-nwr"
	"eas-capture -s kec61 https://example.org/kec61.mp3 | eas-decode -s kec61 | eas-publish -q -u unix:///run/redis/redis.sock --spool /var/spool/eas-publish/kec61 --pg 'host=/run/postgresql dbname=eas'"
	"EAS_REDIS_URL='redis://eas:s3cret@redis.lan:6379/0' eas-decode | eas-publish"
	"eas-decode | eas-publish -u redis://redis.lan --password-file /etc/eas/redis.pw"
	"eas-decode | eas-publish --sentinel s1:26379,s2:26379,s3:26379 --master eas --min-replicas 1 --spool /var/spool/eas-publish/kec61"
	"redis-cli --raw XREVRANGE eas:alerts + - COUNT 5"
	"redis-cli SUBSCRIBE eas:alerts"
	"eas-encode --org WXR --event RWT --loc 039000 --purge 0015 --sender KCLE/NWS --attention 1050 | aplay -q -t raw -f S16_LE -c 1 -r 22050"
	# eas-ctl's worked example: one shell session with a redis-server and a listener in the
	# background; eas-ctl itself is tested in tests/eas-ctl.bats
	"redis-server --port 0 --unixsocket /tmp/ctl.sock --save '' --daemonize yes"
	"export EAS_REDIS_URL=unix:///tmp/ctl.sock"
	"(umask 077; openssl rand -hex 32 > /tmp/ctl.key)"
	"export EAS_CTL_KEY_FILE=/tmp/ctl.key"
	"cat > /tmp/handler <<'EOF'"
	"chmod +x /tmp/handler"
	"eas-ctl listen --name audio1 --exec /tmp/handler &"
	"eas-ctl send ping"
	"eas-ctl source add fm1 alsa:hw:1 --rate 48000 gain=3"
	"eas-ctl source start fm1; echo \"exit \$?\""
	"eas-ctl send streaming_stop; echo \"exit \$?\""
	"eas-ctl source list"
	"eas-ctl --json send source_stop fm1"
	"kill %1; eas-ctl send ping; echo \"exit \$?\""
	# eas-watch and the station: a station's Redis, the network, root; tested in
	# tests/eas-watch.bats, tests/eas-station.bats, tests/run-station.bats and tests/install.bats
	"eas-watch alerts -f --fips 039173,039095 --group pager --exec '"
	"  [ \"\$EAS_SIGNIFICANCE\" = warning ] || exit 0"
	"  curl -fsS -d \"\$EAS_EVENT_NAME for \$EAS_COUNTIES until \$EAS_EXPIRES\" https://pager.example/send'"
	"eas-watch alerts --since \"\$(date -u +%F)\""
	"eas-watch alerts --active --json | jq -r .event_name"
	"cat > station.conf <<'END'"
	"eas-station -c station.conf -u redis://127.0.0.1:6379"
	"eas-ctl source add demo3 http://10.0.0.5:8000/live.mp3"
	"eas-ctl source stop demo3"
	"eas-watch check"
	"sudo make install"
	"sudo cp /usr/local/lib/eas-tools/cgi/lighttpd-eas.conf /etc/lighttpd/conf-available/50-eas.conf"
	"sudo lighty-enable-mod eas && sudo systemctl reload lighttpd"
)

setup() {
	cd "$BATS_TEST_TMPDIR"
	# capture.s16: "a raw file at 48 kHz", holding the alert of the README's example line
	eas-encode -r 48000 'ZCZC-WXR-TOR-039035+0030-3261645-KCLE/NWS-' >capture.s16
}

# run_readme N: run RUN[N] verbatim with bash, in the temp dir.
run_readme() {
	run --separate-stderr bash -c "${RUN[$1]}"
}

@test "README: every example is run here or listed as needing what a test cannot have" {
	n=0
	while IFS= read -r cmd; do
		n=$((n + 1))
		found=0
		for c in "${RUN[@]}" "${NOT_RUN[@]}"; do
			[ "$c" = "$cmd" ] && found=1
		done
		[ "$found" -eq 1 ] || { echo "README example not in tests/readme.bats: $cmd"; false; }
	done < <(readme_commands)
	[ "$n" -eq $((${#RUN[@]} + ${#NOT_RUN[@]})) ] || { echo "$n commands in the README"; false; }
}

@test "README: eas-decode of the 48 kHz capture.s16 with --now" {
	run_readme 0
	[ "$status" -eq 0 ]
	a=$(printf '%s\n' "$output" | jq -c 'select(.type == "alert")')
	[ "$(jq -r .raw <<<"$a")" = 'ZCZC-WXR-TOR-039035+0030-3261645-KCLE/NWS-' ]
	[ "$(jq -r .issued <<<"$a")" = 2026-11-22T16:45:00.000Z ]
	[[ "$(jq -r .time <<<"$a")" == 2026-11-22T14:05:* ]] # --now plus the offset
}

@test "README: only alerts, with jq" {
	run_readme 1
	[ "$status" -eq 0 ]
	[ "$output" = '{"event_name":"Tornado Warning","locations":["Cuyahoga County"]}' ]
}

@test "README: plain headers and NNNN" {
	run_readme 2
	[ "$status" -eq 0 ]
	[ "$output" = $'ZCZC-WXR-TOR-039035+0030-3261645-KCLE/NWS-\nNNNN' ]
}

@test "README: encode and decode again" {
	run_readme 3
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "alert") | .raw')" = 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' ]
	[ "$(printf '%s\n' "$output" | jq -r 'select(.type == "eom") | .type')" = eom ]
}

@test "README: cross-check with multimon-ng" {
	run_readme 4
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 'EAS: ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' ]
	[ "${lines[1]}" = 'EAS: NNNN' ]
}

@test "README: a WAV file with a spoken message" {
	command -v espeak-ng >/dev/null || skip "no espeak-ng"
	run_readme 5
	[ "$status" -eq 0 ]
	run_readme 6
	[ "$status" -eq 0 ]
	[ "$(soxi -r alert.wav)" = 48000 ]
	[ "$(soxi -s alert.wav)" -gt $((48000 * 20)) ] # 3 bursts, 8 s tone, the message, 3 EOMs
	eas-capture alert.wav | eas-decode --raw >out
	[ "$(cat out)" = $'ZCZC-EAS-RMT-039173+0100-1231645-WXYZ/FM -\nNNNN' ]
}

@test "README: exactly 10 s of a file as 8 kHz PCM" {
	eas-encode 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' |
		ffmpeg -nostdin -v error -f s16le -ar 22050 -ac 1 -i - alert.mp3
	run_readme 7
	[ "$status" -eq 0 ]
	[ "$(stat -c %s alert.raw)" -eq $((10 * 8000 * 2)) ]
	[ "$(eas-decode -r 8000 --raw alert.raw)" = 'ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-' ]
}
