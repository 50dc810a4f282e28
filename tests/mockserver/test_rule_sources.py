"""Every business rule the mock enforces has an `x-pns-rules` entry naming the vendor page and
section it comes from; a refusal or a rule constant in the backends without one fails here."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from pns_mock import spec
from pns_mock.mockserver.config import Settings

ROOT = Path(__file__).resolve().parents[2]
# Where the platform's rules live: the backends, and the stores of calls and recordings.
RULE_MODULES = [
    *sorted((ROOT / "mockserver" / "domain" / "backends").glob("*.py")),
    ROOT / "mockserver" / "traffic" / "calls.py",
    ROOT / "mockserver" / "traffic" / "recordings.py",
]
# Settings that tune the mock itself rather than restate a vendor rule.
OPERATIONAL_SETTINGS = {
    "max_body_bytes",
    "push_timeout_seconds",
    "seed",
    "admin_token",
    "lockout_after",
    "strict_fields",  # how loudly the mock reports undocumented fields, not a platform rule
    # the mock's own resource bounds and its admin API's defences
    "max_header_bytes",
    "max_admin_body_bytes",
    "max_pending_pushes",
    "admin_hosts",
    # off by default: the vendor documents no nonce replay check (x-pns-undocumented-conditions)
    "nonce_replay_seconds",
}

SPEC = spec.load()


def _strings(tree: ast.Module) -> dict[str, str]:
    """Module-level `NAME = "text"` (also in tuple assignments)."""
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                pairs = (
                    zip(target.elts, node.value.elts, strict=False)
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple)
                    else [(target, node.value)]
                )
                for name, value in pairs:
                    constant = isinstance(value, ast.Constant) and isinstance(value.value, str)
                    if isinstance(name, ast.Name) and constant:
                        found[name.id] = value.value  # type: ignore[attr-defined]
    return found


def rules_in(path: Path) -> list[tuple[int, str | None]]:
    """(line, rule id or None) of every `PnsError(...)` and every `*_RULE` constant of a module."""
    tree = ast.parse(path.read_text())
    constants = _strings(tree)
    found: list[tuple[int, str | None]] = [
        (0, value) for name, value in constants.items() if name.endswith("_RULE")
    ]
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "PnsError":
            rule = next((k.value for k in node.keywords if k.arg == "rule"), None)
            if isinstance(rule, ast.Constant) and isinstance(rule.value, str):
                found.append((node.lineno, rule.value))
            elif isinstance(rule, ast.Name):
                found.append((node.lineno, constants.get(rule.id)))
            else:
                found.append((node.lineno, None))
    return found


@pytest.mark.parametrize("path", RULE_MODULES, ids=lambda p: p.name)
def test_every_refusal_and_rule_constant_names_a_rule_of_the_spec(path: Path) -> None:
    missing = [
        f"{path.name}:{line}: {rule or 'PnsError without rule='}"
        for line, rule in rules_in(path)
        if rule not in SPEC.rules
    ]
    assert not missing, f"rules the backends enforce without an x-pns-rules entry: {missing}"


def test_the_scan_finds_a_refusal_without_a_rule(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('X_RULE = "no.such-rule"\n\ndef f():\n    raise PnsError("1010002", "why")\n')
    assert rules_in(module) == [(0, "no.such-rule"), (4, None)]


def test_every_rule_names_its_vendor_page_section_and_a_link() -> None:
    assert len(SPEC.rules) >= 40
    for rule in SPEC.rules.values():
        assert rule.source.page and rule.source.section, rule.id
        assert rule.source.url.startswith("https://support.huaweicloud.com/"), rule.id
        assert rule.summary, rule.id
        assert not rule.code or rule.code in SPEC.result_codes, rule.id
        assert all(op in SPEC.operations for op in rule.operations), rule.id


def test_every_rule_the_backends_name_is_used_somewhere() -> None:
    named = {rule for path in RULE_MODULES for _, rule in rules_in(path)}
    validator = {rule.id for rule in SPEC.rules.values() if rule.field_order or rule.confirmed_fields}
    by_setting = {rule.id for rule in SPEC.rules.values() if rule.setting}
    spec_only = {"push.retry-schedule"}  # read from x-pns-delivery by the push sender
    unused = set(SPEC.rules) - named - validator - by_setting - spec_only
    assert not unused, f"x-pns-rules entries nothing enforces: {sorted(unused)}"


def test_every_vendor_limit_in_the_settings_has_a_rule_with_its_source() -> None:
    by_setting = {rule.setting for rule in SPEC.rules.values() if rule.setting}
    assert by_setting <= {f.name for f in dataclasses.fields(Settings)}
    unsourced = {f.name for f in dataclasses.fields(Settings)} - by_setting - OPERATIONAL_SETTINGS
    assert not unsourced, f"server settings that restate a vendor rule without x-pns-rules: {unsourced}"


def test_the_push_retry_schedule_names_its_source() -> None:
    source = SPEC.delivery["x-pns-source"]
    assert source["page"] and source["section"]
