"""Turn the JSON of bench/harness.py and bench/scale.py into bench/RESULTS.md."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from idle_cost import section as idle_section
from idle_cost import target_row as idle_target
from report_load import (
    SCENARIOS,
    X,
    errors_of,
    load_section,
    machine_section,
    method_section,
    ms,
    notes_section,
    scenario,
    startup_section,
    verdict,
)
from sections import kept_sections

TARGET_OVERHEAD_US = 300
TARGET_P99_MS = 5
TARGET_READY_S = 1
TARGET_RSS_MB_1M = 1024


def overhead_section(scale: dict[str, Any]) -> list[str]:
    out = ["| setup | operation | median | p99 | mean |", "|---|---|---:|---:|---:|"]
    names = {
        "bind": "bind (areaCode, platform picks X)",
        "unbind": "unbind (subscriptionId)",
        "query_x_a": "query (relationNum + callerNum)",
        "query_sid": "query (subscriptionId)",
        "all": "all four together",
    }
    for setup in scale["overhead"].values():
        for key, label in names.items():
            s = setup[key]
            out.append(
                f"| {setup['label']} | {label} | {s['median_us']:.0f} µs | {s['p99_us']:.0f} µs "
                f"| {s['mean_us']:.0f} µs |"
            )
    return out


def cpu_note(scale: dict[str, Any], part: str) -> list[str]:
    c = scale.get("cpu", {}).get(part)
    if not c:
        return []
    text = (
        f"CPU during this part: {c['own_cpu_s']:.1f} s by the benchmark, {c['other_cpu_s']:.1f} s by other "
        f"processes, over {c['wall_s']:.0f} s of wall time"
        + (f" (least disturbed of {c['attempts']} attempts)." if c.get("attempts", 1) > 1 else ".")
    )
    if c["other_cpu_s"] > 0.05 * c["wall_s"]:
        text = "**Disturbed**: " + text + " Single-threaded timings may be inflated."
    return [text]


def profile_section(scale: dict[str, Any]) -> list[str]:
    rows = scale["overhead"].get("demo", {}).get("profile") or []
    handle = next((r for r in rows if r["function"].endswith("(handle)") and "engine" in r["function"]), None)
    if not handle:
        return []
    total = handle["cum_us_per_request"]
    out = [
        "cProfile of Engine.handle over bind + unbind + query-by-X+A rounds (demo config). cProfile",
        "slows Python code about threefold, so only the shares are meaningful: each row is the share of",
        "Engine.handle's time spent in that function and everything it calls.",
        "",
        "| share of Engine.handle | calls per request | function |",
        "|---:|---:|---|",
    ]
    shown = 0
    for r in rows:
        share = r["cum_us_per_request"] / total
        if share > 1.0001 or "bench/" in r["function"]:
            continue
        out.append(f"| {share:.0%} | {r['calls_per_request']:.1f} | `{r['function']}` |")
        shown += 1
        if shown >= 22:
            break
    return out


def scale_section(scale: dict[str, Any]) -> list[str]:
    out = [
        f"Baseline RSS before any binding: {scale['baseline_rss_mb']:.1f} MiB (interpreter, spec, compiled "
        f"validators). Every binding has a duration, so the expiry queue holds one entry per binding. "
        f"Times are medians (p99 in brackets) over {scale['settings']['samples']:,} calls on random "
        "live bindings, through the backend API unless marked Engine.",
        "",
        "| live bindings | RSS | bytes per binding | query by id | query by X + A | Engine query by id "
        "| bind (relationNum) | bind (areaCode) | unbind | expiry pass, per expired binding | build |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]

    def t(s: dict[str, float]) -> str:
        return f"{s['median_us']:.2f} µs ({s['p99_us']:.1f})"

    for lv in scale["levels"]:
        ex = lv["expiry_pass"]
        out.append(
            f"| {lv['live']:,} | {lv['rss_mb']:.0f} MiB | {lv['bytes_per_binding']:.0f} "
            f"| {t(lv['query_sid'])} "
            f"| {t(lv['query_x_a'])} | {lv['engine_query_sid']['median_us']:.0f} µs "
            f"| {t(lv['bind_relation_num'])} | {t(lv['bind_area_code'])} | {t(lv['unbind'])} "
            f"| {ex['per_binding_us']:.2f} µs ({ex['expired']:,} in {ex['total_ms']:.1f} ms) "
            f"| {lv['build_s']:.1f} s |"
        )
    out += [
        "",
        "Expiry keeps deadlines in 64-second spans (`mockserver/domain/clock.py`): a heap of span "
        "numbers, and per span a list that is sorted once by deadline when the span falls due, its due "
        "part cut off with one bisection. AXB keeps each X's pairs in bind order "
        "(`mockserver/domain/backends/axb_index.py`), so expired pairs leave from the front. Removing a "
        "due binding costs its share of that sort plus its dict deletions (by id, by party). The passes "
        "here expire bindings whose deadlines are one second apart, the worst case for spans. What "
        "still grows with the number of bindings is the cache misses of those deletions: three random "
        "slots per binding in hash tables of 1M entries. A call with nothing due pays two comparisons, "
        "which are inside the query figures.",
        "",
        f"Peak RSS of the scale process: {scale['peak_rss_mb']:.0f} MiB; the whole script took "
        f"{scale['seconds']:.0f} s.",
    ]
    return out


def targets_section(
    load: dict[str, Any], scale: dict[str, Any], idle: dict[str, Any] | None = None
) -> list[str]:
    rows = []

    def ratio(name: str, server: str) -> float | None:
        pns, other = scenario(load, "pns-mock", name), scenario(load, server, name)
        return pns["rps"] / other["rps"] if pns and other else None

    for name in SCENARIOS:
        r = ratio(name, "prism")
        if r is not None:
            rows.append((f"≥ 2{X} Prism's req/s (-v error), {name}", f"{r:.2f}{X}", r >= 2))
        for server, label in (
            ("wiremock", "WireMock (defaults)"),
            ("wiremock-nojournal", "WireMock, no journal"),
        ):
            r = ratio(name, server)
            if r is not None:
                rows.append((f"above {label}, {name}", f"{r:.2f}{X}", r > 1))
        pns = scenario(load, "pns-mock", name)
        if pns:
            rows.append(
                (
                    f"p99 ≤ {TARGET_P99_MS} ms, {name}",
                    ms(pns["p99_us"]),
                    pns["p99_us"] <= TARGET_P99_MS * 1000,
                )
            )
            rows.append((f"0 errors, {name}", str(errors_of(pns)), errors_of(pns) == 0))
        r = ratio(name, "bare")
        if r is not None:
            rows.append(
                (f"≥ 50 % of the bare ceiling (raw ASGI, stock uvicorn), {name}", f"{r:.0%}", r >= 0.5)
            )
        r = ratio(name, "bare-one-write")
        if r is not None:
            rows.append(
                (
                    f"≥ 50 % of the bare ceiling with pns-mock's own server set-up (one write per "
                    f"response), {name}",
                    f"{r:.0%}",
                    r >= 0.5,
                )
            )
    starts = list(load.get("pns_cold_starts_s") or [])
    if "ready_s" in load["servers"].get("pns-mock", {}):
        starts.append(load["servers"]["pns-mock"]["ready_s"])
    if starts:
        rows.append(
            (
                f"ready ≤ {TARGET_READY_S} s after start (worst of {len(starts)})",
                f"{max(starts):.3f} s",
                max(starts) <= TARGET_READY_S,
            )
        )
    if scale:
        for setup in scale["overhead"].values():
            worst = max(setup[k]["median_us"] for k in ("bind", "unbind", "query_x_a", "query_sid"))
            worst99 = max(setup[k]["p99_us"] for k in ("bind", "unbind", "query_x_a", "query_sid"))
            rows.append(
                (
                    f"in-process overhead ≤ 0.3 ms per call (median of the slowest operation; "
                    f"{setup['label']})",
                    f"{worst:.0f} µs (p99 {worst99:.0f} µs)",
                    worst <= TARGET_OVERHEAD_US,
                )
            )
        levels = {lv["live"]: lv for lv in scale["levels"]}
        top = levels.get(max(levels))
        if top and top["live"] >= 1_000_000:
            rows.append(
                (
                    f"{top['live']:,} live bindings in ≤ 1 GB RSS",
                    f"{top['rss_mb']:.0f} MiB",
                    top["rss_mb"] <= TARGET_RSS_MB_1M,
                )
            )
        lo, hi = levels[min(levels)], levels[max(levels)]
        growth = hi["live"] / lo["live"]
        for key, label in (("query_sid", "query by id"), ("query_x_a", "query by X + A")):
            g = hi[key]["median_us"] / lo[key]["median_us"]
            rows.append(
                (
                    f"{label} cost independent of the number of bindings ({lo['live']:,} → {hi['live']:,})",
                    f"{X}{g:.2f} for {X}{growth:.0f} bindings",
                    g < 3,
                )
            )
        g = hi["expiry_pass"]["per_binding_us"] / lo["expiry_pass"]["per_binding_us"]
        rows.append(
            (
                f"expiry cost independent of the number of bindings ({lo['live']:,} → {hi['live']:,})",
                f"{X}{g:.2f} per expired binding for {X}{growth:.0f} bindings",
                g < 3,
            )
        )
    if idle:
        rows.append(idle_target(idle))
    out = ["| target | measured | verdict |", "|---|---:|---|"]
    out += [f"| {name} | {value} | {verdict(ok)} |" for name, value, ok in rows]
    out += [
        "",
        '"Independent" is read as: no growth with the number of bindings beyond memory-hierarchy '
        f"effects (verdict met when the cost grows less than 3{X} while the bindings grow 100{X}).",
    ]
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--load", type=Path, required=True)
    parser.add_argument("--scale", type=Path)
    parser.add_argument("--idle", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    load = json.loads(args.load.read_text())
    scale = json.loads(args.scale.read_text()) if args.scale and args.scale.exists() else {}
    idle = json.loads(args.idle.read_text()) if args.idle and args.idle.exists() else None
    lines = [
        "# Benchmark results",
        "",
        "Written by `bench/run.sh` (bench/report.py) from one run; run it again to replace this file.",
        "Numbers are from this machine only: compare the ratios, not the absolute figures, across machines.",
        "",
        "## Machine and versions",
        "",
        *machine_section(load),
        "",
        "## Targets",
        "",
        *targets_section(load, scale, idle),
        "",
        "## Throughput and latency over loopback (wrk, "
        f"{load['settings']['threads']} threads, {load['settings']['connections']} connections)",
        "",
        *load_section(load),
        "## Start-up",
        "",
        *startup_section(load),
        "",
    ]
    if scale:
        lines += [
            "## In-process overhead: `Engine.handle` (what the pytest plugin calls)",
            "",
            f"{scale['settings']['calls']:,} calls per operation, signed and valid requests, one at a time, "
            "wall time per call (`time.perf_counter_ns`).",
            "",
            *overhead_section(scale),
            "",
            *cpu_note(scale, "overhead"),
            "",
            "### Where the time goes",
            "",
            *profile_section(scale),
            "",
            "## Scale: "
            + " / ".join(f"{lv['live']:,}" for lv in scale["levels"])
            + " live AXB bindings (in-process)",
            "",
            *scale_section(scale),
            "",
            *cpu_note(scale, "scale"),
            "",
        ]
    if idle:
        lines += ["## Idle cost of the pytest plugin", "", *idle_section(idle), ""]
    lines += ["## Notes", "", *notes_section(load), "", "## Method", "", *method_section(load), ""]
    lines += kept_sections(args.out)
    args.out.write_text("\n".join(lines))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
