#!/usr/bin/env python3
# notify-reader.py: a service manager's notify socket for the tests: binds the unix datagram
# socket PATH and appends every datagram received to LOG as "MONOTONIC_MS<TAB>line" per line of it.
import socket, sys, time

path, log = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
with open(log, "a", buffering=1) as f:
    while True:
        data = s.recv(65536).decode("utf-8", "replace")
        now = int(time.monotonic() * 1000)
        for line in data.split("\n"):
            if line:
                f.write("%d\t%s\n" % (now, line))
