"""README.zh-CN.md: its table of the vendor's Chinese interface names matches the spec's operations."""

from __future__ import annotations

import re
from pathlib import Path

from pns_mock import spec
from pns_mock.docsgen import vendor_names

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / vendor_names.README).read_text(encoding="utf-8")
ZH = spec.load("zh-CN")


def test_the_readme_table_is_the_one_generated_from_the_spec() -> None:
    assert vendor_names.block(README) == vendor_names.table(ZH), (
        "README.zh-CN.md is out of date with the spec: run `python -m pns_mock.docsgen.vendor_names`"
    )


def test_every_operation_and_push_appears_once_under_its_chinese_vendor_name() -> None:
    rows = [line for line in vendor_names.block(README).splitlines() if line.startswith("| ") and "`" in line]
    names = [re.search(r"`(\w+)`", row).group(1) for row in rows]  # type: ignore[union-attr]
    assert sorted(names) == sorted([*ZH.operations, *ZH.webhooks])
    for row in rows:
        vendor = row.split(" | ")[0].removeprefix("| ")
        assert re.search(r"[\u4e00-\u9fff]", vendor), row
    assert len({row.split(" | ")[0] for row in rows[: len(ZH.operations)]}) == len(ZH.operations)


def test_rewrite_puts_the_table_between_the_markers_and_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "README.zh-CN.md"
    path.write_text(f"前言\n{vendor_names.START}\nold\n{vendor_names.END}\n后记\n", encoding="utf-8")
    assert vendor_names.rewrite(path, ZH) is True
    text = path.read_text(encoding="utf-8")
    assert text.startswith("前言\n") and text.endswith("后记\n")
    assert vendor_names.block(text) == vendor_names.table(ZH)
    assert vendor_names.rewrite(path, ZH) is False


def test_the_readme_gives_the_two_commands_the_plugin_and_the_server_for_other_languages() -> None:
    for needle in (
        "scripts/serve.sh",
        "scripts/test.sh",
        "def test_binding_a_ride(pns):",
        "pns_server",
        "--lang zh-CN",
    ):
        assert needle in README, needle
    assert "README.zh-CN.md" in (ROOT / "README.md").read_text(encoding="utf-8"), (
        "the English README links it"
    )
