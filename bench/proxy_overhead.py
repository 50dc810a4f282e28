"""What `pns-mock proxy` adds to a call: p50 latency and req/s, through the proxy against direct.

Not part of `run.sh`: `python bench/proxy_overhead.py [--requests 3000] [--duration 10]`. One
upstream (`pns-mock serve --tls-port`, its self-signed certificate) and one proxy in front of it
(`--upstream https://... --upstream-ca`), both on loopback. Latency: one keep-alive connection,
AXB queries one after another, in alternating blocks of 100 direct (HTTPS, as the client would
call the platform) and through the proxy (HTTP to the proxy, HTTPS from it, the upstream
connection kept alive), so a change of machine load touches both alike. Throughput: `wrk -t2
-c16` with the `query` scenario of `wrk/pns.lua`, direct and through the proxy. Prints one JSON
line and writes its section of RESULTS.md, between the `proxy-overhead` markers (`report.py`
carries it over when it rewrites the rest); `--no-write` only prints.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from harness import APP_KEY, LUA, PATH, make_targets, signed_headers  # noqa: E402
from sections import markers, write_section  # noqa: E402
from servers import free_port  # noqa: E402

BLOCK = 100
RESULTS = BENCH / "RESULTS.md"
BEGIN, END = markers("proxy-overhead")
TARGET_MS = 1.0


def _start(argv: list[str], port: int, log: Path) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError(f"{' '.join(argv)} did not start; see {log}")


class Connection:
    """A minimal keep-alive HTTP/1.1 client: the least client-side cost per request."""

    def __init__(self, port: int, context: ssl.SSLContext | None) -> None:
        raw = socket.create_connection(("127.0.0.1", port))
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock = context.wrap_socket(raw, server_hostname="localhost") if context else raw
        self.buffer = b""

    def get(self, request: bytes) -> bytes:
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self.sock.recv(65536)
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            rest += self.sock.recv(65536)
        self.buffer = rest[length:]
        if not head.startswith(b"HTTP/1.1 200") or b'"resultcode":"0"' not in rest[:length]:
            raise RuntimeError(f"unexpected reply: {head[:80]!r} {rest[:120]!r}")
        return rest[:length]


def _request(relation: str, caller: str) -> bytes:
    headers = {**signed_headers(), "Content-Type": "application/json;charset=UTF-8", "Host": "127.0.0.1"}
    query = f"relationNum=%2B{relation[1:]}&callerNum=%2B{caller[1:]}"
    lines = [f"GET {PATH}?{query} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def latency(direct: Connection, proxied: Connection, request: bytes, count: int) -> dict[str, list[float]]:
    times: dict[str, list[float]] = {"direct": [], "proxy": []}
    for _ in range(BLOCK):  # warm-up, not counted
        direct.get(request)
        proxied.get(request)
    for block in range(count // BLOCK):
        order = [("direct", direct), ("proxy", proxied)]
        for name, conn in order if block % 2 == 0 else order[::-1]:
            for _ in range(BLOCK):
                start = time.perf_counter()
                conn.get(request)
                times[name].append((time.perf_counter() - start) * 1000)
    return times


def wrk(url: str, targets: Path, seconds: float) -> float:
    headers = signed_headers()
    env = {
        **os.environ,
        "PNS_SCENARIO": "query",
        "PNS_AUTHORIZATION": headers["Authorization"],
        "PNS_XAKSK": headers["X-AKSK"],
        "PNS_RUN": "1",
        "PNS_TARGETS": str(targets),
    }
    argv = ["wrk", "-t2", "-c16", f"-d{seconds:g}s", "--timeout", "5s", "-s", str(LUA), url]
    out = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=seconds + 60, check=True)
    line = next(x for x in out.stdout.splitlines() if x.startswith("BENCHJSON "))
    result = json.loads(line[len("BENCHJSON ") :])
    errors = result["reply_errors"] + result["non2xx"] + sum(result["socket_errors"].values())
    if errors:
        raise RuntimeError(f"wrk saw {errors} errors at {url}: {result.get('first_error')}")
    return float(result["requests"]) / (float(result["duration_us"]) / 1e6)


def _summary(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50_ms": statistics.median(ordered),
        "p90_ms": ordered[int(len(ordered) * 0.9)],
        "p99_ms": ordered[int(len(ordered) * 0.99)],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=3000, help="measured requests per path")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of each wrk run")
    parser.add_argument("--no-write", action="store_true", help="print only, leave RESULTS.md alone")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory(prefix="pns-proxy-bench-") as tmp_name:
        tmp = Path(tmp_name)
        http_port, tls_port, proxy_port = free_port(), free_port(), free_port()
        config = BENCH / "pns-bench.yaml"
        upstream = _start(
            [python, "-m", "pns_mock.mockserver", "serve", "--config", str(config), "--port", str(http_port),
             "--tls-port", str(tls_port), "--cert-dir", str(tmp / "tls")],
            tls_port, tmp / "upstream.log",
        )  # fmt: skip
        cert = tmp / "tls" / "cert.pem"
        proxy = _start(
            [python, "-m", "pns_mock.mockserver", "proxy", "--port", str(proxy_port),
             "--upstream", f"https://127.0.0.1:{tls_port}", "--upstream-ca", str(cert)],
            proxy_port, tmp / "proxy.log",
        )  # fmt: skip
        try:
            targets = tmp / "targets.txt"
            make_targets(http_port, 200, targets)
            relation, caller = targets.read_text().splitlines()[0].split()
            request = _request(relation, caller)
            context = ssl.create_default_context(cafile=str(cert))
            direct, proxied = Connection(tls_port, context), Connection(proxy_port, None)
            times = latency(direct, proxied, request, args.requests)
            direct.sock.close()
            proxied.sock.close()
            direct_rps = wrk(f"https://127.0.0.1:{tls_port}/", targets, args.duration)
            proxy_rps = wrk(f"http://127.0.0.1:{proxy_port}/", targets, args.duration)
        finally:
            for proc in (proxy, upstream):
                proc.terminate()
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    direct_ms, proxy_ms = _summary(times["direct"]), _summary(times["proxy"])
    result: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "app_key": APP_KEY,
        "requests_per_path": len(times["direct"]),
        "direct": direct_ms | {"rps": direct_rps},
        "proxy": proxy_ms | {"rps": proxy_rps},
        "added_p50_ms": proxy_ms["p50_ms"] - direct_ms["p50_ms"],
        "load_average": os.getloadavg()[0],
    }
    print("BENCHJSON " + json.dumps(result))
    added = result["added_p50_ms"]
    verdict = "**met**" if added <= TARGET_MS else "**missed**"
    section = "\n".join(
        [
            BEGIN,
            "## `pns-mock proxy` overhead",
            "",
            f"Written by `bench/proxy_overhead.py` on {result['date']}, one run. Upstream: `pns-mock serve"
            " --tls-port` (the bench config); the proxy in front of it with `--upstream-ca`. Latency:"
            f" {len(times['direct'])} AXB queries per path on one keep-alive connection, alternating blocks"
            f" of {BLOCK}; direct is HTTPS to the upstream, through the proxy is HTTP to it and HTTPS from"
            " it. Throughput: `wrk -t2 -c16`, `query` scenario, "
            f"{args.duration:g} s each, upstream, proxy and wrk sharing the machine's CPUs.",
            "",
            "| path | p50 | p90 | p99 | req/s |",
            "|---|---:|---:|---:|---:|",
            f"| direct (HTTPS to the upstream) | {direct_ms['p50_ms']:.3f} ms | {direct_ms['p90_ms']:.3f} ms"
            f" | {direct_ms['p99_ms']:.3f} ms | {direct_rps:,.0f} |",
            f"| through `pns-mock proxy` | {proxy_ms['p50_ms']:.3f} ms | {proxy_ms['p90_ms']:.3f} ms"
            f" | {proxy_ms['p99_ms']:.3f} ms | {proxy_rps:,.0f} |",
            "",
            f"Added p50 latency: **{added:.3f} ms**; goal ≤ {TARGET_MS:g} ms on loopback: {verdict}."
            f" Load average at the end: {result['load_average']:.1f} on {os.cpu_count()} CPUs. The"
            " req/s through the proxy is bounded by the CPU the proxy itself takes from the upstream"
            " and wrk on the same machine (its checks run after each reply, on one worker thread).",
            END,
        ]
    )
    print(section)
    if not args.no_write:
        write_section(RESULTS, "proxy-overhead", section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
