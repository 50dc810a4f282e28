"""The parts of bench/RESULTS.md about the load run (throughput, start-up, machine, method, notes),
and the small formatting helpers the whole report shares."""

from __future__ import annotations

from typing import Any

SCENARIOS = {
    "mix": "AXB bind + unbind mix (POST bind with areaCode, DELETE by the returned subscriptionId, "
    "alternating)",
    "query": "AXB query by relationNum + callerNum (single binding, over bindings made beforehand)",
}
REFERENCES = [
    ("prism", "Prism -v error"),
    ("wiremock", "WireMock (defaults)"),
    ("wiremock-nojournal", "WireMock --no-request-journal"),
    ("bare", "bare uvicorn (raw ASGI)"),
    ("bare-one-write", "bare uvicorn (raw ASGI), one write per response"),
    ("bare-starlette", "bare uvicorn + Starlette"),
]
X = "\u00d7"  # multiplication sign


def ms(us: float) -> str:
    return f"{us / 1000:.2f} ms"


def mib(kb: float | None) -> str:
    return "?" if kb is None else f"{kb / 1024:.0f} MiB"


def verdict(ok: bool) -> str:
    return "**met**" if ok else "**missed**"


def scenario(load: dict[str, Any], server: str, name: str) -> dict[str, Any] | None:
    s = load["servers"].get(server)
    if not s or "error" in s:
        return None
    result: dict[str, Any] | None = s["scenarios"].get(name)
    return result


def errors_of(r: dict[str, Any]) -> int:
    return int(r["reply_errors"]) + int(sum(r["socket_errors"].values()))


def cpu(r: dict[str, Any]) -> str:
    if "other_cpu_s" not in r:
        return "?"
    return f"{r['server_cpu_s']:.1f} / {r['wrk_cpu_s']:.1f} / {r['other_cpu_s']:.1f}"


def disturbed(load: dict[str, Any]) -> list[str]:
    """Scenarios during which other processes used noticeable CPU (over 5 % of the machine)."""
    out = []
    limit = 0.05 * (load["env"]["machine"]["nproc"] or 1) * load["settings"]["duration_s"]
    for server, s in load["servers"].items():
        for name, r in s.get("scenarios", {}).items():
            if r.get("other_cpu_s", 0) > limit:
                out.append(f"{server} {name} ({r['other_cpu_s']:.1f} CPU s)")
    return out


def load_section(load: dict[str, Any]) -> list[str]:
    out = [
        "The last column is CPU time used during the measured run by the server (all its threads), by "
        "wrk, and by every other process on the machine (from /proc/stat); the machine has "
        f"{load['env']['machine']['nproc']} CPUs, so a {load['settings']['duration_s']:g} s run has "
        f"{load['env']['machine']['nproc'] * load['settings']['duration_s']:g} CPU s in all.",
        "",
    ]
    noisy = disturbed(load)
    if noisy:
        out += ["**Disturbed**: other processes were busy during " + ", ".join(noisy) + ".", ""]
    for name, title in SCENARIOS.items():
        pns = scenario(load, "pns-mock", name)
        out += [f"### {name}: {title}", ""]
        out += [
            "| server | req/s | p50 | p99 | peak RSS | errors | pns-mock req/s ÷ this "
            "| CPU s: server / wrk / other |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for server, label in [("pns-mock", "**pns-mock**"), *REFERENCES]:
            r = scenario(load, server, name)
            if r is None:
                why = load["servers"].get(server, {}).get("error") or load.get("skipped", {}).get(server)
                if why:
                    out.append(f"| {label} | — | — | — | — | not run: {why} | | |")
                continue
            ratio = "" if server == "pns-mock" or pns is None else f"{pns['rps'] / r['rps']:.2f}{X}"
            if r.get("attempts", 1) > 1:
                label = f"{label} ({r['attempts']} attempts)"
            errs = errors_of(r)
            err_text = str(errs) if not errs else f"{errs} (first: `{r['first_error'][:80]}`)"
            out.append(
                f"| {label} | {r['rps']:,.0f} | {ms(r['p50_us'])} | {ms(r['p99_us'])} | {mib(r['vmhwm_kb'])} "
                f"| {err_text} | {ratio} | {cpu(r)} |"
            )
        if pns is not None:
            out += [
                "",
                f"pns-mock replies: {pns['binds']:,} binds, {pns['unbinds']:,} unbinds, "
                f"{pns['queries']:,} queries in {pns['duration_us'] / 1e6:.1f} s; "
                f'{errors_of(pns)} not HTTP 200 + resultcode "0".',
            ]
        out.append("")
    return out


def startup_section(load: dict[str, Any]) -> list[str]:
    out = ["| server | time to first answer | RSS when ready |", "|---|---:|---:|"]
    for server, label in [("pns-mock", "pns-mock"), *REFERENCES]:
        s = load["servers"].get(server)
        if s and "ready_s" in s:
            out.append(f"| {label} | {s['ready_s']:.3f} s | {mib(s.get('rss_ready_kb'))} |")
    cold = load.get("pns_cold_starts_s") or []
    if cold:
        out += [
            "",
            "pns-mock cold starts (spawn of `pns-mock serve` to the first 200 from `GET /_pns/clock`): "
            + ", ".join(f"{t:.3f} s" for t in cold)
            + ".",
        ]
    return out


def machine_section(load: dict[str, Any]) -> list[str]:
    env = load["env"]
    m, v = env["machine"], env["versions"]
    return [
        f"- Date: {env['date']}",
        f"- Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} RAM, Linux {m['kernel']}, {m['os']}",
        f"- pns-mock {v['pns-mock']}, Python {v['python']}, uvicorn {v['uvicorn']}, uvloop {v['uvloop']}, "
        f"httptools {v['httptools']} (Starlette {v['starlette']}, bare reference only)",
        f"- Prism {v['prism']} on Node {v['node']}; WireMock {v['wiremock']} (the `wiremock` npm package's "
        f"jar) on {v['java']}",
        f"- Load generator: {v['wrk']}",
        "- Code measured: sha256 of mockserver/ and spec/ (`.py`, `.yaml`) = "
        f"`{env.get('source_digest', '?')}`",
    ]


def method_section(load: dict[str, Any]) -> list[str]:
    st = load["settings"]
    out = [
        f"- Every server in turn, alone on the machine, on a free 127.0.0.1 port. Per server: one "
        f"{st['server_warmup_s']:g} s warm-up (mix), then per scenario a {st['warmup_s']:g} s warm-up "
        f"and a {st['duration_s']:g} s measured run:",
        f"  `{st['wrk']}` with `PNS_SCENARIO=mix|query`.",
        "- The same requests go to every server (bench/wrk/pns.lua). The mix scenario alternates a POST "
        'bind (unique `callerNum`/`calleeNum` per request from a per-thread counter, `areaCode` "0755", '
        '`areaMatchMode` "1") and a DELETE of the `subscriptionId` parsed from a bind reply (per-thread '
        "queue filled by wrk's `response()` callback). The query scenario sends "
        f"`GET ...?relationNum=%2B...&callerNum=%2B...` round-robin over {st['query_bindings']:,} bindings "
        "created on pns-mock over HTTP just before it (the other servers get the same URLs).",
        "- Other sessions may share the machine. A measured run during which other processes used more "
        f"than 5 % of the CPUs is measured again, up to {st.get('retries', 0)} times (within a time "
        "budget), and the least disturbed attempt is kept; the CPU column shows what remained. "
        "Before each measured run the "
        "harness also waits for a second in which other processes use under 5 % of the CPUs (within a "
        f"budget; {load.get('waited_for_quiet_s', 0):.0f} s were spent waiting in this run).",
        '- Every reply that is not HTTP 200 with `"resultcode":"0"` counts as an error; socket '
        "errors and time-outs (5 s) count too.",
        "- Auth: wrk's Lua has no HMAC, so the AKSK headers (`Authorization` + `X-AKSK`) are signed in "
        'Python (`mockserver.auth.sign("AKSK", key, secret, nonce, auth.created_now())`) right before '
        "each wrk run and handed to the script through the environment. pns-mock accepts `Created` "
        "within ±300 s of the wall clock and does not check nonce replay, so one signature serves a "
        "whole run; every request is still fully authenticated (HMAC recomputed and compared).",
        "- pns-mock runs `--config bench/pns-bench.yaml`: one AXB app with 200 X numbers in 0755 and "
        "`max_pairs_per_x: 5000` (the demo app's 4 numbers would fill up). Prism is stateless and answers "
        "from the spec's examples after validating the request; WireMock and the bare app answer fixed "
        "JSON of the same size as pns-mock's replies.",
        "- Peak RSS: `/proc/<pid>/status` VmHWM, reset before each measured run (`echo 5 > "
        "/proc/<pid>/clear_refs`), so it is the peak of that run; a 50 ms VmRSS sampler cross-checks it.",
        "",
        "Server commands (PORT is a free port):",
        "",
    ]
    for s in load["servers"].values():
        out.append(f"- {s['label']}: `{s['command']}`")
    for name, why in load.get("skipped", {}).items():
        out.append(f"- {name}: not run: {why}")
    return out


def notes_section(load: dict[str, Any]) -> list[str]:
    """The issue's reference figures next to this run's, and what to know about the references."""
    load1, load5, _ = load["env"].get("loadavg_at_start", (0, 0, 0))
    out = [f"- Load average when the run started: {load1:.2f} (1 min), {load5:.2f} (5 min)."]

    def rps(server: str) -> str:
        figures = [scenario(load, server, name) for name in SCENARIOS]
        shown = [f"{r['rps']:,.0f} ({name})" for r, name in zip(figures, SCENARIOS, strict=True) if r]
        return ", ".join(shown) or "not run"

    out += [
        "- The issue quotes, for this kind of machine: Prism 5.16 about 2,700 req/s at `-v error`, WireMock "
        "3.13 about 4,000 req/s (p99 about 50 ms), bare uvicorn + Starlette about 9,300 req/s. This run: "
        f"Prism {rps('prism')}; WireMock with defaults {rps('wiremock')}; bare uvicorn + Starlette "
        f"{rps('bare-starlette')}. The ratios in this file are from this run only.",
        "- WireMock needs its JIT warm: its first seconds run at a fraction of its final pace, hence the "
        "per-server warm-up. With defaults its request journal is unbounded, so its RSS grows with every "
        "request (see the peak RSS column). `--max-request-journal-entries` is not used: a bounded journal "
        "made WireMock 3.13 an order of magnitude slower here (about 850 req/s when tried by hand while "
        "building this benchmark; not part of this run), which would flatter pns-mock.",
        "- Prism is stateless: it validates each request against the spec, then answers the spec's example "
        "(the same subscriptionId every time; the unbind that follows is only validated). WireMock and the "
        "bare app match on method and path only. pns-mock authenticates (HMAC), validates, changes state, "
        "shapes the reply from the spec and journals every request.",
        "- The bare ceiling is a raw ASGI app (no framework), the same layer pns-mock's own adapter "
        "(`mockserver/http/asgi.py`) sits on; the Starlette variant is shown for comparison with the issue's "
        "figure. `pns-mock serve` runs uvicorn with a protocol that sends each reply's head and body in "
        "one write (`mockserver/http/coalesce.py`); stock uvicorn writes them separately. The issue's "
        "ceiling is stock uvicorn (`bare`); the same bare app under pns-mock's protocol (`bare-one-write`) "
        "is the like-for-like ceiling, and both ratios are reported.",
    ]
    return out
