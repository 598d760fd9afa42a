#!/bin/sh
# wow.sh: headers decoded from audio whose speed wanders within a burst (wow and flutter of tape and
# turntable transfers, drifting sound-card and stream clocks), eas-decode beside multimon-ng.
# Usage: EAS_BIN=build/bin sh bench/wow.sh [TRIALS]   (TRIALS per cell, default 4)
# Speed 1 + A sin(2 pi F t + random phase) for A 0.3, 1, 2 % and F 0.3, 1, 2 Hz, and a random
# wander (low-passed noise below 1 Hz) of 0.5 % rms; headers of 1, 10, 20 and 31 locations (bursts
# of 0.9 to 3.9 s), three bursts each, at 22050 Hz (multimon-ng's rate).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
bin=${EAS_BIN:-$top/build/bin}
exec /usr/bin/python3 - "$bin/eas-decode" "${1:-4}" <<'EOF'
import sys, subprocess
import numpy as np
from scipy.signal import lfilter

decoder, trials = sys.argv[1], int(sys.argv[2])
RATE, BAUD = 22050, 3125.0 / 6.0

def header(nloc, rng):
    locs = "-".join("0%02d%03d" % (rng.integers(1, 57), 2 * rng.integers(0, 60) + 1) for _ in range(nloc))
    return "ZCZC-WXR-SVR-%s+0100-%03d%02d%02d-KXYZ/NWS-" % (locs, rng.integers(1, 366), rng.integers(24), rng.integers(60))

def speed_curve(n, kind, a, f, rng):
    t = np.arange(n) / RATE
    if kind == "sine":
        return 1 + a * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    # random wander: white noise low-passed below ~0.5 Hz (two one-pole stages), rms A
    k = 2 * np.pi * 0.5 / RATE
    w = lfilter([k], [1, k - 1], lfilter([k], [1, k - 1], rng.normal(0, 1, n)))
    w -= w.mean()
    return 1 + a * w / (w.std() + 1e-12)

def message(text, kind, a, f, rng):
    """Three bursts 1 s apart, the whole played at a wandering speed: s16le bytes."""
    bits = []
    for b in range(3):
        bits += [(c >> k) & 1 for c in bytes([0xAB] * 16) + text.encode() for k in range(8)]
        bits += [None] * int(BAUD)  # 1 s of silence
    nbits = len(bits)
    n = int((nbits / BAUD + 1.5) * RATE * 1.05)
    sp = speed_curve(n, kind, a, f, rng)
    tau = np.cumsum(sp) / RATE  # content time
    idx = np.floor(tau * BAUD).astype(int)
    ok = idx < nbits
    idx, sp = idx[ok], sp[ok]
    b = np.array([-1 if x is None else x for x in bits])[idx]
    fr = np.where(b == 1, 6250.0 / 3, 1562.5) * sp
    x = np.where(b < 0, 0.0, 0.5 * np.sin(np.cumsum(2 * np.pi * fr / RATE)))
    x = np.concatenate([np.zeros(RATE // 2), x, np.zeros(3 * RATE)])
    return (x * 32767).astype("<i2").tobytes()

def decoded(cmd, pcm):
    out = subprocess.run(cmd, input=pcm, capture_output=True).stdout.decode(errors="replace")
    return [l.split("EAS: ")[-1].strip() for l in out.splitlines() if "ZCZC" in l]

cells = [("sine", a, f) for a in (0.003, 0.01, 0.02) for f in (0.3, 1.0, 2.0)] + [("wander", 0.005, 0)]
rng = np.random.default_rng(15)
print("wow: headers decoded of %d per length (1, 10, 20, 31 locations), eas-decode | multimon-ng" % trials)
tot = {"ours": 0, "mm": 0}
fail = 0
for kind, a, f in cells:
    row = []
    for nloc in (1, 10, 20, 31):
        ok = {"ours": 0, "mm": 0}
        for _ in range(trials):
            h = header(nloc, rng)
            pcm = message(h, kind, a, f, rng)
            ok["ours"] += h in decoded([decoder, "-r", str(RATE), "--raw", "--status-interval", "0"], pcm)
            ok["mm"] += h in decoded(["multimon-ng", "-q", "-t", "raw", "-a", "EAS", "-"], pcm)
        row.append("%d|%d" % (ok["ours"], ok["mm"]))
        tot["ours"] += ok["ours"]; tot["mm"] += ok["mm"]
        if (kind == "wander" or a <= 0.01) and ok["ours"] < trials:
            fail = 1
        if a >= 0.02 and ok["ours"] < ok["mm"]:
            fail = 1
    name = "%s %.1f %% at %.1f Hz" % (kind, 100 * a, f) if kind == "sine" else "wander %.1f %% rms" % (100 * a)
    print("wow: %-24s %s" % (name, "  ".join(row)), flush=True)
print("wow: total eas-decode %d, multimon-ng %d of %d" % (tot["ours"], tot["mm"], trials * 4 * len(cells)))
print("wow: target %s: every length at 1 %% and 0.5 %% rms, at 2 %% as many as multimon-ng" % ("MISSED" if fail else "met"))
sys.exit(fail)
EOF
