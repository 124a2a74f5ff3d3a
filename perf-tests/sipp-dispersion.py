#!/usr/bin/env python3
"""Coefficient of variation of a SIPp client's send times over spans of 1, 2, 4 and 8 messages.

Reads a SIPp message trace (-trace_msg; the testkit keeps one per run under
target/testkit-runs/*/NAME.messages.log), takes the time of every message SIPp sent, and prints
std/mean of the time from each sent message to the k-th after it, for k = 1, 2, 4, 8; then the same
for simulated Poisson arrivals at the same mean rate. docs/tier1.md explains why tier 1 uses k = 4.

Usage: perf-tests/sipp-dispersion.py FLOOD.messages.log
"""
import datetime
import random
import re
import statistics
import sys


def sent_times(path):
    lines = open(path, encoding="latin-1").read().split("\n")
    times = []
    for i, line in enumerate(lines):
        m = re.match(r"^-+ (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+)\s*$", line)
        if m and i + 1 < len(lines) and "message sent" in lines[i + 1]:
            times.append(datetime.datetime.fromisoformat(m.group(1)).timestamp())
    return times


def cv(times, k):
    spans = [times[i + k] - times[i] for i in range(len(times) - k)]
    return statistics.pstdev(spans) / statistics.mean(spans)


def main():
    times = sent_times(sys.argv[1])
    if len(times) < 20:
        sys.exit("fewer than 20 sent messages in " + sys.argv[1])
    rate = (len(times) - 1) / (times[-1] - times[0])
    random.seed(1)
    t, poisson = 0.0, []
    for _ in range(3000):
        t += random.expovariate(rate)
        poisson.append(t)
    print(f"{len(times)} messages sent at {rate:.1f}/s")
    print("| span | SIPp | Poisson at the same rate |")
    print("| ---: | ---: | ---: |")
    for k in (1, 2, 4, 8):
        print(f"| {k} | {cv(times, k):.3f} | {cv(poisson, k):.3f} |")


if __name__ == "__main__":
    main()
