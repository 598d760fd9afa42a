#!/usr/bin/env bats
# eas-publish-spool.bats: eas-publish's spool against a real redis-server: replay of a spool written
# by an older binary (tests/fixtures/spool-v0), and a spool disk that fills up (a small tmpfs
# mounted in the test's directory): Redis keeps receiving, every count said is true, lines that
# nothing holds are named, writing resumes when space frees, reserved space stays the spool's.

load helpers
load lib-servers

FIXTURES="$BATS_TEST_DIRNAME/fixtures/spool-v0"

setup() {
	D=$BATS_TEST_TMPDIR
	SRV_LIST="$D/srv.list"
	R="$D/r"
	URL="unix://$R/redis.sock"
	mkdir -p "$R"
}

teardown() {
	for f in "$D"/*.bgpid; do
		[ -f "$f" ] && kill -KILL "$(cat "$f")" 2>/dev/null
	done
	srv_cleanup
	if [ -f "$D/fs.mounted" ]; then
		umount "$D/fs" 2>/dev/null || umount -l "$D/fs"
	fi
}

# small_fs SIZE: a tmpfs of SIZE at $D/fs with an empty $D/fs/spool, or skip when none can be
# mounted here.
small_fs() {
	mkdir -p "$D/fs"
	local err
	if ! err=$(mount -t tmpfs -o "size=$1,mode=0700" tmpfs "$D/fs" 2>&1); then
		skip "cannot mount a tmpfs for a full disk (needs root or CAP_SYS_ADMIN): $err"
	fi
	touch "$D/fs.mounted"
	mkdir "$D/fs/spool"
}

# fill_fs [LEAVE]: fill $D/fs with $D/fs/filler, then give LEAVE bytes back (a multiple of 4K).
fill_fs() {
	dd if=/dev/zero of="$D/fs/filler" bs=4096 2>/dev/null || true
	[ "${1:-0}" = 0 ] || truncate -s "-$1" "$D/fs/filler"
}

# ids N M: the ids gen_alerts gives lines N..M, one per line.
ids() {
	local i
	for i in $(seq "$1" "$2"); do printf '%016x\n' "$i"; done
}

# The "id" field of every stream entry (alerts and eoms alike), in order.
stream_keys() {
	rcli "$R" --raw xrange eas:alerts - + | awk 'p { print; p = 0 } $0 == "id" { p = 1 }'
}

# pub_start ARGS...: eas-publish ARGS in the background, fed by fd 8 (write lines with >&8),
# its stderr in $D/err.
pub_start() {
	mkfifo "$D/feed"
	eas-publish "$@" <"$D/feed" 2>"$D/err" &
	echo $! >"$D/pub.bgpid"
	exec 8>"$D/feed"
}

# pub_end: end the input of pub_start, wait for eas-publish; its exit status in $st.
pub_end() {
	exec 8>&-
	st=0
	wait "$(cat "$D/pub.bgpid")" || st=$?
	rm "$D/pub.bgpid"
	cat "$D/err"
}

# replay: start Redis (if not up) and run eas-publish on the spool with no input; status in $status.
replay() {
	redis_ping "$R" || redis_start "$R"
	run eas-publish -q -u "$URL" --spool "$1" --drain-timeout 20 </dev/null
}

@test "eas-publish spool: --spool-memory and --spool-reserve in --help; bad sizes are usage errors" {
	run eas-publish -h
	[ "$status" -eq 0 ]
	[[ "$output" == *"--spool-memory SIZE"* ]]
	[[ "$output" == *"--spool-reserve SIZE"* ]]
	for bad in x 12Q -1 1e5 " 5" 2T; do
		run eas-publish --spool-memory "$bad" </dev/null
		[ "$status" -eq 2 ]
		[[ "$output" == *"--spool-memory"* ]]
		run eas-publish --spool-reserve "$bad" </dev/null
		[ "$status" -eq 2 ]
	done
}

@test "eas-publish spool: a spool written before records had a version is replayed, each line once" {
	cp -r "$FIXTURES/all" "$D/spool"
	replay "$D/spool"
	[ "$status" -eq 0 ]
	# five records: alert 1, eom 1, alert 2 from two sources (stored once, heard by both), eom 2
	[ "$(stream_keys | tr '\n' ' ')" = "00000000000f0001 eom-10de25bde673917f 00000000000f0002 eom-34a9a960e0f398b2 " ]
	[ "$(rcli "$R" smembers eas:heard:00000000000f0002 | sort | tr '\n' ' ')" = "fixmon othermon " ]
	[ "$(rcli "$R" get eas:seen:00000000000f0001)" = fixmon ]
	# the stored line is the input line, byte for byte
	rcli "$R" --raw xrange eas:alerts - + COUNT 1 | grep '^{' >"$D/first"
	head -1 "$FIXTURES/input.jsonl" | cmp - "$D/first"
	[ ! -s "$D/spool/spool.log" ]
	# replaying the same old spool again adds nothing
	cp "$FIXTURES/all/spool.log" "$FIXTURES/all/redis.pos" "$D/spool/"
	replay "$D/spool"
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" xlen eas:alerts)" -eq 4 ]
}

@test "eas-publish spool: an old spool's cursor is kept; new records (version 1) follow old ones" {
	cp -r "$FIXTURES/partial" "$D/spool"
	# Redis down: two new lines go after the five old records, in the current format
	gen_alerts 1 2 0 fixmon >"$D/in"
	run eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 0.3 <"$D/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"5 lines remain spooled"* ]]
	[ "$(cut -f1 "$D/spool/spool.log" | tr '\n' ' ')" = "A E A A E 1 1 " ]
	[ "$(sed -n 6p "$D/spool/spool.log" | cut -f2,3,8)" = "A	0000000000000001	1" ]
	# the cursor from the old binary (552: records 3 to 5) is where the replay starts
	replay "$D/spool"
	[ "$status" -eq 0 ]
	[ "$(stream_keys | tr '\n' ' ')" = "00000000000f0002 eom-34a9a960e0f398b2 0000000000000001 0000000000000002 " ]
	[ "$(rcli "$R" smembers eas:heard:00000000000f0002 | sort | tr '\n' ' ')" = "fixmon othermon " ]
}

@test "eas-publish spool: Redis up, spool disk full: every line lands in Redis, exit 0 with a warning" {
	small_fs 64k
	fill_fs 0
	redis_start "$R"
	# (the default reservation, 16M, cannot be made: a warning)
	gen_alerts 1 300 0 | eas-publish -q -u "$URL" --spool "$D/fs/spool" --drain-timeout 20 \
		2>"$D/err" || { cat "$D/err"; false; }
	cat "$D/err"
	[ "$(stream_keys | tr '\n' ' ')" = "$(ids 1 300 | tr '\n' ' ')" ]
	grep -q "spool $D/fs/spool: cannot write: No space left on device" "$D/err"
	grep -q "every line was stored in Redis all the same" "$D/err"
	! grep -q "remain spooled\|NOT SAVED" "$D/err"
}

@test "eas-publish spool: disk full, Redis goes away mid-run: what Redis has is stored, the rest named" {
	small_fs 64k
	fill_fs 0
	redis_start "$R"
	pub_start -q -u "$URL" --spool "$D/fs/spool" --drain-timeout 0.5
	gen_alerts 1 10 0 >&8
	srv_wait 10 sh -c "[ \$(redis-cli -s '$R/redis.sock' xlen eas:alerts) -eq 10 ]"
	[ "$(stream_keys | tr '\n' ' ')" = "$(ids 1 10 | tr '\n' ' ')" ]
	redis_kill "$R"
	gen_alerts 11 10 0 >&8
	pub_end
	[ "$st" -eq 1 ]
	for i in $(seq 11 20); do
		grep -q "line $i (alert $(printf %016x "$i") from test): the spool disk refuses it (No space left on device) and Redis is down: held in memory only" "$D/err"
	done
	grep -q "10 lines were NOT SAVED (in memory at exit: the spool disk refused them and Redis did not confirm them): lines 11-20" "$D/err"
	grep -q "10 lines in all were not saved" "$D/err"
	! grep -q "remain spooled" "$D/err"
	! grep -q "line [1-9] (alert" "$D/err"
	! grep -q "line 10 (alert" "$D/err"
}

@test "eas-publish spool: Redis down, disk full: counts said are what the next run replays; the rest named" {
	small_fs 64k
	fill_fs 8192 # room for about 14 records
	gen_alerts 1 40 0 >"$D/in"
	run eas-publish -q -u "$URL" --spool "$D/fs/spool" --drain-timeout 0.5 <"$D/in"
	echo "$output"
	[ "$status" -eq 1 ]
	kept=$(echo "$output" | sed -n 's/.*: \([0-9]*\) lines remain spooled in .*/\1/p')
	lost=$(echo "$output" | sed -n 's/.*: \([0-9]*\) lines in all were not saved$/\1/p')
	[ "$kept" -gt 0 ] && [ "$lost" -gt 0 ] && [ $((kept + lost)) -eq 40 ]
	# the lines not saved are named as such, as one range here, and each at once when held
	[[ "$output" == *"$lost lines were NOT SAVED (in memory at exit: the spool disk refused them and Redis did not confirm them): lines $((kept + 1))-40"* ]]
	for i in $(seq $((kept + 1)) 40); do
		[[ "$output" == *"line $i (alert $(printf %016x "$i") from test): the spool disk refuses it (No space left on device) and Redis is down: held in memory only"* ]]
	done
	[ "$(wc -l <"$D/fs/spool/spool.log")" -eq "$kept" ]
	# the next run replays exactly those lines, each once
	rm "$D/fs/filler"
	replay "$D/fs/spool"
	[ "$status" -eq 0 ]
	[ "$(stream_keys | tr '\n' ' ')" = "$(ids 1 "$kept" | tr '\n' ' ')" ]
}

@test "eas-publish spool: disk full, then space freed mid-run: writing resumes, the next run replays all" {
	small_fs 64k
	fill_fs 0
	pub_start -q -u "$URL" --spool "$D/fs/spool" --drain-timeout 0.5
	gen_alerts 1 10 0 >&8
	srv_wait 10 grep -q "line 10 (alert 000000000000000a from test).*held in memory only" "$D/err"
	[ ! -s "$D/fs/spool/spool.log" ]
	rm "$D/fs/filler"
	srv_wait 10 grep -q "writing again" "$D/err"
	[ "$(wc -l <"$D/fs/spool/spool.log")" -eq 10 ]
	gen_alerts 11 10 0 >&8
	pub_end
	[ "$st" -eq 1 ]
	grep -q "20 lines remain spooled" "$D/err"
	! grep -q "NOT SAVED\|not saved" "$D/err"
	replay "$D/fs/spool"
	[ "$status" -eq 0 ]
	[ "$(stream_keys | tr '\n' ' ')" = "$(ids 1 20 | tr '\n' ' ')" ]
}

@test "eas-publish spool: --spool-memory bounds what is held; lines past it are named NOT SAVED" {
	small_fs 64k
	fill_fs 0
	gen_alerts 1 10 0 >"$D/in"
	# a record is about 560 bytes: three fit in 2K
	run eas-publish -q -u "$URL" --spool "$D/fs/spool" --spool-reserve 0 --spool-memory 2K \
		--drain-timeout 0.3 <"$D/in"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"line 4 (alert 0000000000000004 from test): NOT SAVED: the spool disk refuses writes (No space left on device), Redis is down, and memory holds "*" bytes (--spool-memory 2048)"* ]]
	[[ "$output" == *"3 lines were NOT SAVED (in memory at exit"*"lines 1-3"* ]]
	[[ "$output" == *"7 lines were NOT SAVED (refused when memory was full): lines 4-10"* ]]
	[[ "$output" == *"10 lines in all were not saved"* ]]
	[[ "$output" != *"remain spooled"* ]]
}

@test "eas-publish spool: --spool-reserve keeps room that another program cannot take" {
	small_fs 256k
	pub_start -q -u "$URL" --spool "$D/fs/spool" --spool-reserve 128K --drain-timeout 0.3
	# the reservation is made at start: 128 KiB allocated to an empty spool.log
	srv_wait 10 sh -c "[ \$(stat -c %b '$D/fs/spool/spool.log') -ge 256 ]"
	[ "$(stat -c %s "$D/fs/spool/spool.log")" -eq 0 ]
	fill_fs 0 # another program takes every free byte
	gen_alerts 1 150 0 >&8 # about 84 KiB of records
	pub_end
	[ "$st" -eq 1 ]
	grep -q "150 lines remain spooled" "$D/err"
	! grep -q "cannot write\|NOT SAVED" "$D/err"
	rm "$D/fs/filler"
	replay "$D/fs/spool"
	[ "$status" -eq 0 ]
	[ "$(rcli "$R" xlen eas:alerts)" -eq 150 ]
}

@test "eas-publish spool: a reservation that cannot be made is a warning, not a failure" {
	small_fs 64k
	gen_alerts 1 3 0 >"$D/in"
	run eas-publish -q -u "$URL" --spool "$D/fs/spool" --spool-reserve 1M --drain-timeout 0.3 <"$D/in"
	[ "$status" -eq 1 ]
	[[ "$output" == *"cannot reserve 1048576 bytes (No space left on device); going on without"* ]]
	[[ "$output" == *"3 lines remain spooled"* ]]
}

@test "eas-publish spool: lines keep reaching Redis across compactions of the log (every 4 MiB)" {
	# 20,000 lines (11 MiB of records) at a pace Redis keeps up with, so that the log is
	# compacted while lines keep coming; before offsets were logical, the lines after a
	# compaction were skipped as "damaged" (half of them lost, exit 0)
	redis_start "$R"
	gen_alerts 1 20000 5000 | eas-publish -q -u "$URL" --spool "$D/spool" --drain-timeout 20 \
		2>"$D/err" || { cat "$D/err"; false; }
	cat "$D/err"
	[ "$(rcli "$R" xlen eas:alerts)" -eq 20000 ]
	[ "$(stream_keys | tr '\n' ' ')" = "$(ids 1 20000 | tr '\n' ' ')" ]
	! grep -q damaged "$D/err"
}
