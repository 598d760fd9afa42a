#!/bin/sh
# latency.sh: how soon eas-decode prints an alert or an eom after the audio that decides it, fed in
# real time (20 ms chunks) beside multimon-ng fed the same audio at the same moments.
# Usage: EAS_BIN=build/bin sh bench/latency.sh   (BENCH_ROUNDS=N rounds, median and maximum; 3)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
command -v multimon-ng >/dev/null || { echo "latency: multimon-ng not found" >&2; exit 1; }
exec /usr/bin/python3 - "$bin/eas-decode" "${BENCH_ROUNDS:-3}" <<'EOF'
import os, sys, json, time, threading, subprocess, statistics
import numpy as np

decoder, rounds = sys.argv[1], int(sys.argv[2])
BAUD = 3125.0 / 6.0

def afsk(text, rate, phase):
    """One burst: 16 bytes of 0xAB and TEXT, LSB first, continuous phase; (samples, phase)."""
    bits = [(c >> k) & 1 for c in bytes([0xAB] * 16) + text.encode() for k in range(8)]
    n = np.floor(np.arange(len(bits) + 1) * rate / BAUD).astype(int)
    f = np.repeat(np.where(np.array(bits), 6250.0 / 3, 1562.5), np.diff(n))
    ph = phase + np.cumsum(2 * np.pi * f / rate)
    return 0.5 * np.sin(ph), ph[-1]

def message(rate, text, bursts, heard):
    """0.5 s of silence, BURSTS bursts of TEXT 1 s apart (those not in HEARD silent), 4 s of
    silence: (s16le bytes, end of each burst in seconds)."""
    parts, ends, t, ph = [np.zeros(rate // 2)], [], 0.5, 0.0
    for b in range(bursts):
        x, ph = afsk(text, rate, ph)
        parts.append(x if b in heard else np.zeros(len(x)))
        t += len(x) / rate
        ends.append(t)
        parts.append(np.zeros(rate))
        t += 1
    parts.append(np.zeros(4 * rate))
    return (np.concatenate(parts) * 32767).astype("<i2").tobytes(), ends

short = "ZCZC-WXR-TOR-039173+0030-1231645-KCLE/NWS-"
long_ = "ZCZC-CIV-EVI" + "".join("-039%03d" % (2 * i + 1) for i in range(31)) + "+0600-0010000-WXYZ/FMX-"
# name, header text, bursts sent, bursts heard, the burst whose end decides (index), kind
cases = []
for rate in (8000, 22050, 48000):
    cases += [
        ("1 location, 3 bursts", rate, short, 3, {0, 1, 2}, 1, "alert"),
        ("31 locations, 3 bursts", rate, long_, 3, {0, 1, 2}, 1, "alert"),
        ("1 location, 2 bursts heard", rate, short, 3, {0, 1}, 1, "alert"),
        ("31 locations, 2 bursts heard", rate, long_, 3, {0, 1}, 1, "alert"),
        ("eom, 3 bursts", rate, "NNNN", 3, {0, 1, 2}, 2, "eom"),
    ]

def run_round():
    """Every case at once, each to eas-decode at its rate and to multimon-ng at 22050 Hz."""
    procs = []  # (case index, who, Popen, pcm, lines)
    for i, (name, rate, text, nb, heard, dec, kind) in enumerate(cases):
        pcm, ends = message(rate, text, nb, heard)
        p = subprocess.Popen([decoder, "-r", str(rate), "--status-interval", "0", "--raw"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        procs.append([i, "ours", p, pcm, [], rate, ends])
        pcm22, _ = message(22050, text, nb, heard)
        m = subprocess.Popen(["multimon-ng", "-q", "-t", "raw", "-a", "EAS", "-"],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
        procs.append([i, "multimon", m, pcm22, [], 22050, ends])
    t0 = time.monotonic() + 0.2

    def reader(pr):
        for line in pr[2].stdout:
            pr[4].append((time.monotonic() - t0, line.decode(errors="replace").strip()))
    threads = [threading.Thread(target=reader, args=(pr,), daemon=True) for pr in procs]
    for th in threads:
        th.start()
    longest = max(len(pr[3]) / 2 / pr[5] for pr in procs)
    k = 0
    while k * 0.02 < longest:
        dt = t0 + k * 0.02 - time.monotonic()
        if dt > 0:
            time.sleep(dt)
        for pr in procs:
            n = int(pr[5] * 0.02) * 2
            chunk = pr[3][k * n:(k + 1) * n]
            if chunk:
                pr[2].stdin.write(chunk)
        k += 1
    for pr in procs:
        pr[2].stdin.close()
    for pr in procs:
        pr[2].wait()
    for th in threads:
        th.join()
    out = {}
    for i, who, p, pcm, lines, rate, ends in procs:
        kind = cases[i][6]
        want = "NNNN" if kind == "eom" else "ZCZC"
        hits = [t for t, l in lines if want in l]
        out[(i, who)] = hits[0] - ends[cases[i][5]] if hits else None
    return out

results = [run_round() for _ in range(rounds)]
fail = 0
print("latency: seconds from the end of the deciding burst (the 2nd for alerts, the 3rd NNNN for "
      "eom) to the line, median and max of %d rounds" % rounds)
print("latency: %-30s %6s  %15s  %15s" % ("case", "rate", "eas-decode", "multimon-ng"))
def fmt(v):
    v = [x for x in v if x is not None]
    return "%6.3f %6.3f" % (statistics.median(v), max(v)) if v else "%13s" % "missed"
for i, c in enumerate(cases):
    ours = [r[(i, "ours")] for r in results]
    mm = [r[(i, "multimon")] for r in results]
    print("latency: %-30s %6d  %15s  %15s" % (c[0], c[1], fmt(ours), fmt(mm)))
    got = [x for x in ours if x is not None]
    if len(got) < len(ours):
        print("latency: TARGET MISSED: %s at %d Hz: not decoded every round" % (c[0], c[1]))
        fail = 1
        continue
    med = statistics.median(got)
    if c[6] == "eom":
        ok, what = max(got) <= 0.1, "eom at most 0.1 s after its last burst"
    elif "2 bursts heard" in c[0]:
        # at most 0.3 s after a third would have ended (pause 1 s and one burst, +5 %)
        burst = (16 + len(c[2])) * 8 / BAUD
        ok, what = max(got) <= 1.05 * (1 + burst) + 0.3, "at most 0.3 s after a third would end"
    else:
        mmv = [x for x in mm if x is not None]
        ok = med <= 0.05 and (not mmv or med <= statistics.median(mmv) + 0.02)
        what = "median at most 50 ms after the 2nd burst, no later than multimon-ng"
    print("latency: %s: %s at %d Hz: %s" % ("target met" if ok else "TARGET MISSED", c[0], c[1], what))
    fail |= not ok
sys.exit(fail)
EOF
