#!/usr/bin/env python3
"""CPU time of a process's threads grouped by thread name (comm), for the ingest benchmark.

  thread_cpu.py snapshot PID > before.json    # utime+stime per thread, in clock ticks
  thread_cpu.py diff PID before.json SECONDS  # per-name CPU since the snapshot, as % of one core

Threads that started or ended between the two reads count from zero or are left out; the
gateway's threads live for the whole run, so the figures are what each role cost during it."""
import json
import os
import sys

TICKS = os.sysconf("SC_CLK_TCK")


def read(pid: str) -> dict:
    out = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        # comm is in parentheses and may hold spaces; the fields after it are space-separated.
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[tid] = [name, int(fields[11]) + int(fields[12])]  # utime + stime
    return out


def main() -> None:
    mode, pid = sys.argv[1], sys.argv[2]
    if mode == "snapshot":
        json.dump(read(pid), sys.stdout)
        return
    with open(sys.argv[3]) as f:
        before = json.load(f)
    seconds = float(sys.argv[4])
    by_name: dict = {}
    for tid, (name, ticks) in read(pid).items():
        used = ticks - before.get(tid, [name, 0])[1]
        by_name[name] = by_name.get(name, 0) + used
    parts = [f"{name}={100.0 * ticks / TICKS / seconds:.0f}%"
             for name, ticks in sorted(by_name.items(), key=lambda kv: -kv[1]) if ticks > 0]
    print("cpu " + " ".join(parts))


if __name__ == "__main__":
    main()
