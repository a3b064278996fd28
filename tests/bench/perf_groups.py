#!/usr/bin/env python3
"""Where the Workers' process spends a request: a `perf record` profile (cpu-clock samples of
the workerd process that runs the Workers and their local D1) summed by part, per request.

Usage: `perf_groups.py PERF_DATA REQUESTS` (the requests answered while it sampled at 1 kHz)
prints one line per part, "part µs", largest first. `perf_groups.py --medians DIR NAME...`
reads DIR/NAME.*.parts (one such output per round) and prints each part's median per NAME.

The parts are named by symbol: SQLite itself; code V8 compiled ("jit": the Workers' wasm, and
their JavaScript once optimized; without a perf map V8's code has no names); V8's runtime and
builtins; workerd's API layer; kj/capnp (workerd's I/O); the allocator; libc; the kernel; the
rest.
"""

import collections
import glob
import re
import statistics
import subprocess
import sys

PARTS = [
    ("sqlite", re.compile(r"sqlite3|^(pager|btree|vdbe|wal|pcache|balance|insertCell|fillInCell)")),
    ("v8", re.compile(r"v8::|^Builtins_|^Builtin:")),
    ("workerd-api", re.compile(r"workerd::(api|jsg)")),
    ("allocator", re.compile(r"tcmalloc")),
    ("kj/capnp", re.compile(r"kj::|capnp::")),
]


def part(dso: str, symbol: str) -> str:
    if dso.startswith("[kernel"):
        return "kernel"
    if dso.startswith("[JIT]"):
        return "jit"
    if dso.startswith("lib"):
        return "libc"
    for name, pattern in PARTS:
        if pattern.search(symbol):
            return name
    return "other"


def medians(directory: str, names: list[str]) -> None:
    table: dict[str, dict[str, float]] = {}
    for name in names:
        rounds: dict[str, list[float]] = collections.defaultdict(list)
        for path in sorted(glob.glob(f"{directory}/{name}.*.parts")):
            for line in open(path, encoding="utf-8"):
                key, value = line.rsplit(maxsplit=1)
                rounds[key].append(float(value))
        table[name] = {k: statistics.median(v) for k, v in rounds.items()}
    parts = sorted({k for row in table.values() for k in row}, key=lambda k: (k != "total", k))
    print(f"  {'':12}" + "".join(f"{name:>16}" for name in names))
    for key in parts:
        print(f"  {key:12}" + "".join(f"{table[n].get(key, 0):16.0f}" for n in names))


def main() -> None:
    if sys.argv[1] == "--medians":
        medians(sys.argv[2], sys.argv[3:])
        return
    data, requests = sys.argv[1], int(sys.argv[2])
    report = subprocess.run(
        ["perf", "report", "-i", data, "--stdio", "--sort", "dso,sym", "-F", "sample,dso,sym"],
        capture_output=True, text=True, check=True,
    ).stdout
    samples: collections.Counter[str] = collections.Counter()
    for line in report.splitlines():
        m = re.match(r"\s*(\d+)\s+(\S+)\s+(?:\[.\]\s+)?(.*)", line)
        if m and not line.startswith("#"):
            samples[part(m.group(2), m.group(3))] += int(m.group(1))
    # cpu-clock samples at 1 kHz: one sample is 1 ms of CPU.
    total = sum(samples.values())
    print(f"total {total * 1000 / requests:.0f}")
    for name, n in samples.most_common():
        print(f"{name} {n * 1000 / requests:.0f}")


if __name__ == "__main__":
    main()
