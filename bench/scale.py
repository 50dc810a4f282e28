"""In-process benchmarks: Engine.handle overhead per call, and AXB state at 10k / 100k / 1M bindings.

Run by bench/run.sh after the load benchmark (python bench/scale.py --out FILE.json); prints a
summary and writes JSON for bench/report.py.

1. Overhead: `Engine.handle` (exactly what the pytest plugin calls for each intercepted request)
   on signed, valid requests, timed one call at a time: bind, unbind, query by X + A and query by
   subscriptionId, `--calls` each. Then a cProfile pass over the same mix says where the time goes.
2. Scale: one AXB application with 220 X numbers (200 filled round-robin up to 5000 pairs each,
   20 kept empty so binds still find room at 1M) on a frozen virtual clock. Every binding has a
   `duration`, so the expiry queue is as large as the binding table. At each level the script
   measures RSS (VmRSS after gc.collect()), then per-operation time through the backend API
   (query by subscriptionId, query by X + A, bind with relationNum, bind with areaCode and
   unbind), a query by subscriptionId through Engine.handle, and expiry: 5 times, the clock moves
   so that exactly `--expire` of the oldest bindings are due, and the next call removes them
   (median of the 5 passes). When nothing is due, expiry costs a look at the earliest span per
   call, which is inside the query figures.
"""

from __future__ import annotations

import argparse
import functools
import gc
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from inprocess import (  # noqa: E402
    APP_KEY,
    DAY,
    FULL_X,
    SECRET,
    SPARE_X,
    Client,
    make_platform,
    numbers,
    overhead,
    stats_us,
    timed,
)
from machine import Quiet, children_cpu, machine_busy_s, proc_status  # noqa: E402

from pns_mock.mockserver.config import default_config  # noqa: E402
from pns_mock.mockserver.domain import VirtualClock  # noqa: E402
from pns_mock.mockserver.http import Engine  # noqa: E402
from pns_mock.mockserver.platform import Platform  # noqa: E402


class Scale:
    def __init__(self, expire: int, samples: int) -> None:
        self.platform = make_platform()
        self.engine = Engine(self.platform)
        self.client = Client(self.engine)
        self.backend = self.platform.backend(APP_KEY)
        self.clock = self.platform.clock
        self.x = numbers()
        self.expire = expire
        self.samples = samples
        self.made = 0  # bindings made by build(), index of the next one
        self.expired = 0  # the oldest `expired` of them are gone
        self.segments: list[tuple[int, float]] = [(0, self.clock.now())]  # (first index, bind time)
        gc.collect()
        self.baseline = proc_status(os.getpid())["VmRSS"]
        self.rng = random.Random(7)

    def deadline(self, index: int) -> float:
        start = max(t for first, t in self.segments if first <= index)
        return start + DAY + index

    def build(self, live: int) -> float:
        t0 = time.perf_counter()
        bind = self.backend.bind
        x = self.x
        while self.made - self.expired < live:
            i = self.made
            bind(
                caller_num=f"+8613{i:09d}",
                callee_num=f"+8615{i:09d}",
                relation_num=x[i % FULL_X],
                duration=DAY + i,
            )
            self.made += 1
        return time.perf_counter() - t0

    def measure(self, live: int) -> dict[str, Any]:
        build_s = self.build(live)
        gc.collect()
        rss = proc_status(os.getpid())["VmRSS"]
        sample = self.rng.sample(self.backend.bindings(), min(self.samples, live))
        sids = [b.subscription_id for b in sample]
        pairs = [(b.relation_num, b.caller_num) for b in sample]
        query = self.backend.query
        out: dict[str, Any] = {
            "live": live,
            "build_s": build_s,
            "rss_mb": rss / 1024,
            "bytes_per_binding": (rss - self.baseline) * 1024 / live,
            "query_sid": stats_us(timed([functools.partial(query, subscription_id=s) for s in sids])),
            "query_x_a": stats_us(
                timed([functools.partial(query, relation_num=p[0], caller_num=p[1]) for p in pairs])
            ),
        }
        del sample
        self.client.refresh()
        out["engine_query_sid"] = stats_us(
            timed(
                [functools.partial(self.client.call, "GET", query=f"subscriptionId={s}") for s in sids[:5000]]
            )
        )
        # bind / unbind on the spare X (the 200 others may be full at 1M)
        n = min(self.samples, 5000)
        tag = f"{live // 1000:04d}"[-4:]
        spare = self.x[FULL_X:]
        made: list[str] = []

        def bind_x(k: int) -> None:
            b = self.backend.bind(
                caller_num=f"+86177{tag}{k:05d}",
                callee_num=f"+86178{tag}{k:05d}",
                relation_num=spare[k % SPARE_X],
                duration=DAY,
            )
            made.append(b.subscription_id)

        out["bind_relation_num"] = stats_us(timed([functools.partial(bind_x, k) for k in range(n)]))
        out["unbind"] = stats_us(
            timed([functools.partial(self.backend.unbind, subscription_id=s) for s in made])
        )
        made.clear()

        def bind_area(k: int) -> None:
            b = self.backend.bind(
                caller_num=f"+86175{tag}{k:05d}",
                callee_num=f"+86176{tag}{k:05d}",
                area_code="0755",
                area_match_mode="1",
                duration=DAY,
            )
            made.append(b.subscription_id)

        out["bind_area_code"] = stats_us(timed([functools.partial(bind_area, k) for k in range(n)]))
        for s in made:
            self.backend.unbind(subscription_id=s)
        # expiry: nothing due costs a look at the earliest span per call (inside the query figures);
        # now make the oldest `expire` bindings due and time the call that removes them
        passes: list[int] = []
        cpu: list[int] = []  # the same passes in this thread's CPU time: without the waits for a core
        for _ in range(5):
            before = len(self.backend.bindings())
            last = self.expired + self.expire - 1
            self.clock.set(self.deadline(last))
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            self.backend.binding(sids[0])  # any public call drops what is due first
            took = time.perf_counter_ns() - t0
            cpu.append(time.thread_time_ns() - c0)
            removed = before - len(self.backend.bindings())
            if removed != self.expire:
                raise RuntimeError(f"expiry pass removed {removed} bindings, expected {self.expire}")
            self.expired += self.expire
            self.segments.append((self.made, self.clock.now()))
            passes.append(took)
        took = int(statistics.median(passes))
        out["expiry_pass"] = {
            "expired": self.expire,
            "passes": len(passes),
            "total_ms": took / 1e6,
            "per_binding_us": took / 1000 / self.expire,
            # every pass, in order: on a shared machine a slow median shows whether all passes
            # were slow (the structure) or a few (other load)
            "pass_per_binding_us": [p / 1000 / self.expire for p in passes],
            # the pass is one thread computing: on a loaded machine its CPU time leaves out the
            # time the process waited while other processes had the cores, which wall time counts
            "cpu_per_binding_us": statistics.median(cpu) / 1000 / self.expire,
        }
        return out


def run_overhead(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {}
    setups = {
        "demo": (
            "built-in demo config, demo-axb (4 X, 2 in 0755)",
            default_config,
            "demo-axb",
            "demo-axb-secret",
        ),
        "bench": (f"one AXB app with {FULL_X + SPARE_X} X in 0755", None, APP_KEY, SECRET),
    }
    for key, (label, config, app_key, secret) in setups.items():
        print(f"Engine.handle overhead, {label} ({args.calls} calls per operation)", flush=True)
        platform = Platform(config(), clock=VirtualClock(frozen=True)) if config else make_platform()
        res = overhead(args.calls, platform, app_key, secret, with_profile=key == "demo")
        res["label"] = label
        result[key] = res
        for name in ("bind", "unbind", "query_x_a", "query_sid", "all"):
            s = res[name]
            print(f"  {name:10} median {s['median_us']:7.1f} us  p99 {s['p99_us']:7.1f} us", flush=True)
    return result


def run_scale(args: argparse.Namespace) -> dict[str, Any]:
    result: dict[str, Any] = {}
    scale = Scale(args.expire, args.samples)
    result["baseline_rss_mb"] = scale.baseline / 1024
    result["levels"] = []
    print(
        f"AXB state at {args.levels} live bindings (baseline RSS {scale.baseline / 1024:.1f} MiB)", flush=True
    )
    for live in (int(x) for x in args.levels.split(",")):
        level = scale.measure(live)
        result["levels"].append(level)
        print(
            f"  {live:>9,} bindings: RSS {level['rss_mb']:7.1f} MiB "
            f"({level['bytes_per_binding']:.0f} B each), "
            f"build {level['build_s']:.1f} s, query sid {level['query_sid']['median_us']:.2f} us, "
            f"bind {level['bind_relation_num']['median_us']:.2f} us, "
            f"unbind {level['unbind']['median_us']:.2f} us, "
            f"expiry {level['expiry_pass']['per_binding_us']:.2f} us/binding "
            f"({level['expiry_pass']['cpu_per_binding_us']:.2f} us CPU)",
            flush=True,
        )
    result["peak_rss_mb"] = proc_status(os.getpid())["VmHWM"] / 1024
    return result


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument(
        "--part",
        choices=["all", "overhead", "scale"],
        default="all",
        help="all: each part in its own process, so neither skews the other's RSS or GC",
    )
    parser.add_argument("--levels", default="10000,100000,1000000")
    parser.add_argument("--calls", type=int, default=20000, help="Engine.handle calls per operation")
    parser.add_argument("--samples", type=int, default=20000, help="timed backend calls per operation")
    parser.add_argument("--retries", type=int, default=1, help="re-runs of a part disturbed by other load")
    parser.add_argument(
        "--expire", type=int, default=1000, help="bindings made due in each of the 5 expiry passes per level"
    )
    args = parser.parse_args()
    t_start = time.perf_counter()
    settings = {
        "calls": args.calls,
        "samples": args.samples,
        "expire": args.expire,
        "x_numbers": FULL_X + SPARE_X,
        "levels": args.levels,
    }
    if args.part == "overhead":
        result: dict[str, Any] = {"overhead": run_overhead(args)}
    elif args.part == "scale":
        result = run_scale(args)
    else:
        result = {"settings": settings}
        for part in ("overhead", "scale"):
            tmp = args.out.with_suffix(f".{part}.json")
            argv = [
                sys.executable,
                __file__,
                "--part",
                part,
                "--out",
                str(tmp),
                "--levels",
                args.levels,
                "--calls",
                str(args.calls),
                "--samples",
                str(args.samples),
                "--expire",
                str(args.expire),
            ]
            # Other sessions may share the machine: wait for a quiet second first, and run a part
            # again (up to --retries times) when other processes used more than 5 % of the CPUs
            # during it; the least disturbed attempt is kept.
            best: tuple[dict[str, Any], dict[str, float]] | None = None
            for attempt in range(1, 2 + args.retries):
                Quiet(20).wait(os.getpid())  # this process only waits meanwhile
                busy0, own0, t0 = machine_busy_s(), children_cpu(), time.perf_counter()
                subprocess.run(argv, check=True)
                own = children_cpu() - own0
                wall = time.perf_counter() - t0
                cpu = {
                    "wall_s": wall,
                    "own_cpu_s": own,
                    "other_cpu_s": max(0.0, machine_busy_s() - busy0 - own),
                    "attempts": attempt,
                }
                if best is None or cpu["other_cpu_s"] < best[1]["other_cpu_s"]:
                    best = (json.loads(tmp.read_text()), cpu)
                if cpu["other_cpu_s"] <= 0.05 * (os.cpu_count() or 1) * wall:
                    break
                print(f"{part}: disturbed ({cpu['other_cpu_s']:.1f} CPU s used by others), again", flush=True)
            assert best is not None
            best[1]["attempts"] = attempt
            result.update(best[0])
            result.setdefault("cpu", {})[part] = best[1]
            tmp.unlink()
    result["seconds"] = time.perf_counter() - t_start
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
