"""`pns-mock run`, `pns-mock report` and `serve --report-*`, as a CI job runs them (subprocesses)."""

from __future__ import annotations

import json
import os
import pty
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import httpx
import jsonschema
import pytest

from pns_mock.mockserver.config import default_config
from pns_mock.mockserver.report import verdict, write_atomic

from .helpers import AXB
from .serving import assert_journaled_replies_conform, free_port, serve

SCHEMA = json.loads(verdict.SCHEMA_FILE.read_text())

# A client in any language, here Python: one request to the URL pns-mock run hands it.
CLIENT = """
import base64, hashlib, hmac, json, os, sys, time, urllib.request, uuid
created = sys.argv[2] if len(sys.argv) > 2 else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
nonce = uuid.uuid4().hex
secret = os.environ["PNS_AXB_APP_SECRET"].encode()
digest = base64.b64encode(hmac.new(secret, (nonce + created).encode(), hashlib.sha256).digest()).decode()
request = urllib.request.Request(
    os.environ["PNS_BASE_URL"] + "/rest/caas/relationnumber/partners/v1.0",
    data=json.dumps({"callerNum": sys.argv[1], "calleeNum": "+8613900000002"}).encode(),
    method="POST",
    headers={
        "Content-Type": "application/json;charset=UTF-8",
        "Authorization": 'AKSK realm="SDP",profile="UsernameToken",type="Appkey"',
        "X-AKSK": f'UsernameToken Username="{os.environ["PNS_AXB_APP_KEY"]}",PasswordDigest="{digest}",'
        f'Nonce="{nonce}",Created="{created}"',
    },
)
try:
    urllib.request.urlopen(request, timeout=10).read()
except urllib.error.HTTPError:
    pass
"""


def pns_mock(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pns_mock.mockserver", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


JOURNAL_AFTER = Path(__file__).parents[1] / "examples" / "journal_after.py"


def run_client(tmp_path: Path, caller: str, *options: str) -> subprocess.CompletedProcess[str]:
    """The client under `pns-mock run`; every reply it got is checked against the spec."""
    script, journal = tmp_path / "client.py", tmp_path / "journal.json"
    script.write_text(CLIENT)
    command = [sys.executable, str(JOURNAL_AFTER), str(journal), "--", sys.executable, str(script), caller]
    result = pns_mock("run", *options, "--", *command)
    assert_journaled_replies_conform(json.loads(journal.read_text())["result"])
    return result


def test_a_clean_run_exits_0_and_prints_the_verdict(tmp_path: Path) -> None:
    result = run_client(tmp_path, "+8613800000001", "--json", str(tmp_path / "v.json"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.rstrip().endswith("PASSED") and "\033[" not in result.stdout  # no TTY: no colour
    document = json.loads((tmp_path / "v.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["coverage"]["operations"]["exercised"] == ["createAxbBinding"]


def test_a_contract_violation_fails_the_run_unless_allowed(tmp_path: Path) -> None:
    failed = run_client(tmp_path, "13800000001", "--junit", str(tmp_path / "v.xml"))
    assert failed.returncode == 1
    assert "VIOLATION createAxbBinding" in failed.stdout and "field:    callerNum" in failed.stdout
    cases = ET.parse(tmp_path / "v.xml").getroot().iter("testcase")
    assert [c.get("name") for c in cases if c.find("failure") is not None] == ["createAxbBinding"]
    allowed = run_client(tmp_path, "13800000001", "--allow-violations")
    assert allowed.returncode == 0 and "VIOLATION createAxbBinding" in allowed.stdout


def test_coverage_min_fails_a_clean_run_below_it(tmp_path: Path) -> None:
    result = run_client(
        tmp_path, "+8613800000001", "--coverage-min", "50", "--junit", str(tmp_path / "v.xml")
    )
    assert result.returncode == 1 and "below --coverage-min 50" in result.stdout
    gaps = [
        f for f in ET.parse(tmp_path / "v.xml").getroot().iter("failure") if f.get("type") == "CoverageGap"
    ]
    assert gaps


def test_a_failing_command_fails_the_run_with_its_own_status() -> None:
    result = pns_mock("run", "--", sys.executable, "-c", "raise SystemExit(7)")
    assert result.returncode == 7 and "exited with status 7" in result.stderr


def test_the_command_gets_the_base_url_and_each_mode_credentials() -> None:
    show = "import json, os; print(json.dumps({k: v for k, v in os.environ.items() if k.startswith('PNS_')}))"
    result = pns_mock("run", "--", sys.executable, "-c", show)
    env = json.loads(result.stdout.splitlines()[0])
    assert env["PNS_BASE_URL"].startswith("http://127.0.0.1:") and env["PNS_ADMIN_URL"].endswith("/_pns")
    for app in default_config().apps:
        assert env[f"PNS_{app.mode}_APP_KEY"] == app.app_key
        assert env[f"PNS_{app.mode}_APP_SECRET"] == app.app_secret
        assert env[f"PNS_{app.mode}_NUMBERS"] == ",".join(n.number for n in app.numbers)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--bogus", "--", "true"], "unrecognized arguments: --bogus"),
        (["--", "no-such-command-pns"], "command not found: no-such-command-pns"),
        ([], "give the command after --"),
        (
            ["--junit", "/no/such/folder/v.xml", "--", "true"],
            "--junit: folder /no/such/folder does not exist",
        ),
        (["--coverage-min", "lots", "--", "true"], "invalid float value"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    result = pns_mock("run", *args)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and message in result.stderr, result.stderr
    assert result.stdout == ""


def test_a_report_path_that_is_a_folder_is_refused_before_the_run(tmp_path: Path) -> None:
    result = pns_mock("run", "--json", str(tmp_path), "--", "true")
    assert result.returncode == 2 and "is a directory" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_port_in_use_is_one_line_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = pns_mock("run", "--port", str(port), "--", "true")
    assert result.returncode == 2 and f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert result.stderr.count("\n") == 1


def test_a_report_is_written_whole_or_not_at_all(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "v.json"
    target.write_text("previous")

    def fail(src: str, dst: str) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(OSError, match="disk full"):
        write_atomic(target, "new")
    assert [p.name for p in tmp_path.iterdir()] == ["v.json"] and target.read_text() == "previous"


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGTERM, 5), (signal.SIGINT, 6)])
def test_a_signal_is_forwarded_to_the_command_and_the_verdict_still_printed(
    tmp_path: Path, signum: signal.Signals, status: int
) -> None:
    marker = tmp_path / "ready"
    child = (
        "import signal, sys, time, pathlib\n"
        "signal.signal(signal.SIGTERM, lambda *a: sys.exit(5))\n"
        "signal.signal(signal.SIGINT, lambda *a: sys.exit(6))\n"
        f"pathlib.Path({str(marker)!r}).write_text('ready')\n"
        "time.sleep(60)\n"
    )
    run = subprocess.Popen(
        [sys.executable, "-m", "pns_mock.mockserver", "run", "--", sys.executable, "-c", child],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists():
            assert time.monotonic() < deadline and run.poll() is None
            time.sleep(0.02)
        run.send_signal(signum)  # to pns-mock run alone, as a CI runner stopping a job does
        out, err = run.communicate(timeout=30)
    finally:
        run.kill()
    assert run.returncode == status, err
    assert "PASSED" in out and f"exited with status {status}" in err


def test_report_url_reads_the_verdict_of_a_running_server(tmp_path: Path) -> None:
    with serve() as base:
        httpx.post(base + AXB, json={"callerNum": "+8613800000001"})  # no auth at all
        assert_journaled_replies_conform(httpx.get(base + "/_pns/journal").json()["result"])
        answer = httpx.get(base + "/_pns/report").json()
        assert answer["ok"] is True
        jsonschema.validate(answer["result"], SCHEMA)
        result = pns_mock(
            "report", "--url", base, "--json", str(tmp_path / "v.json"), "--junit", str(tmp_path / "v.xml")
        )
    assert result.returncode == 1 and "VIOLATION createAxbBinding" in result.stdout
    assert json.loads((tmp_path / "v.json").read_text())["violations"][0]["resultcode"] == "1023006"
    assert ET.parse(tmp_path / "v.xml").getroot().find("testsuite/testcase/failure") is not None


def test_report_url_of_something_that_is_no_server_is_one_line_and_exit_2() -> None:
    result = pns_mock("report", "--url", f"http://127.0.0.1:{free_port()}")
    assert result.returncode == 2 and result.stderr.startswith("pns-mock: cannot read the report")


def test_serve_writes_its_reports_when_it_stops(tmp_path: Path) -> None:
    json_file, junit_file = tmp_path / "v.json", tmp_path / "v.xml"
    with serve("--report-json", str(json_file), "--report-junit", str(junit_file)) as base:
        httpx.post(base + AXB, json={"callerNum": "+8613800000001"})
        assert_journaled_replies_conform(httpx.get(base + "/_pns/journal").json()["result"])
        assert not json_file.exists()
    document = json.loads(json_file.read_text())
    assert document["requests"] == 1 and len(document["violations"]) == 1
    assert ET.parse(junit_file).getroot().get("failures") == "1"


def test_the_terminal_summary_is_coloured_on_a_tty_only() -> None:
    leader, follower = pty.openpty()
    try:
        run = subprocess.run(
            [sys.executable, "-m", "pns_mock.mockserver", "run", "--", "true"],
            stdout=follower,
            stderr=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
        os.close(follower)
        follower = -1
        seen = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the other side is closed and drained
                break
            if not chunk:
                break
            seen += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert run.returncode == 0
    assert b"\033[32;1mPASSED\033[0m" in seen


def test_serve_refuses_a_report_path_it_could_not_write_before_serving() -> None:
    result = pns_mock("serve", "--port", str(free_port()), "--report-junit", "/no/such/folder/v.xml")
    assert (
        result.returncode == 2
        and result.stderr == "pns-mock: --report-junit: folder /no/such/folder does not exist\n"
    )


def test_a_run_with_a_state_file_keeps_what_the_command_bound(tmp_path: Path) -> None:
    state = tmp_path / "pns.sqlite"
    assert run_client(tmp_path, "+8613800000001", "--state", str(state)).returncode == 0
    show = (
        "import os, urllib.request\n"
        "print(urllib.request.urlopen(os.environ['PNS_ADMIN_URL'] + '/state').read().decode())"
    )
    again = pns_mock("run", "--state", str(state), "--", sys.executable, "-c", show)
    assert again.returncode == 0, again.stderr
    apps = json.loads(again.stdout.splitlines()[0])["result"]["apps"]
    assert [len(a["bindings"]) for a in apps if a["mode"] == "AXB"] == [1]


# A client with a hard-coded https host binds over TLS; another, on plain http, sees that binding.
TWO_SCHEMES = """
import json, os, ssl, subprocess, sys, urllib.request
https = os.environ["PNS_HTTPS_URL"]
assert https.startswith("https://127.0.0.1:"), https
insecure = ssl.create_default_context()
insecure.check_hostname, insecure.verify_mode = False, ssl.CERT_NONE
env = {**os.environ, "PNS_BASE_URL": https}
subprocess.run([sys.executable, sys.argv[1], "+8613800000077"], env=env, check=True)
state = urllib.request.urlopen(os.environ["PNS_ADMIN_URL"] + "/state", timeout=10).read().decode()
print("BOUND" if "+8613800000077" in state else "MISSING")
"""


def test_run_serves_https_on_tls_ports_from_the_same_platform(tmp_path: Path) -> None:
    client = tmp_path / "client.py"
    # the client's urllib must accept the self-signed certificate of the mock
    client.write_text(
        "import ssl\nssl._create_default_https_context = ssl._create_unverified_context\n" + CLIENT
    )
    script = tmp_path / "two.py"
    script.write_text(TWO_SCHEMES)
    result = pns_mock(
        "run", "--tls-port", str(free_port()), "--cert-dir", str(tmp_path / "tls"), "--",
        sys.executable, str(script), str(client),
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "BOUND" in result.stdout, result.stdout
