"""The parsed spec is kept by content digest: the same document either way, and never trusted blindly."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pns_mock.spec import loader


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(loader, "CACHE_DIR", tmp_path / "cache")
    return tmp_path / "cache"


def test_the_cached_document_is_the_yaml_document(cache: Path) -> None:
    from_yaml = yaml.safe_load(loader.spec_path().read_text(encoding="utf-8"))
    assert loader.load_document() == from_yaml  # first read: parsed, then kept
    assert len(list(cache.glob("*.json"))) == 1
    assert loader.load_document() == from_yaml  # second read: from the cache


def test_a_damaged_cache_file_is_ignored_and_replaced(cache: Path) -> None:
    loader.load_document()
    (kept,) = cache.glob("*.json")
    kept.write_text('{"openapi": "3.1.0", "trunc')
    assert loader.load_document()["info"]["title"]
    assert kept.read_text().endswith("}")


def test_a_changed_spec_is_never_answered_from_an_older_cache(cache: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text("openapi: 3.1.0\ninfo: {title: one}\n")
    second.write_text("openapi: 3.1.0\ninfo: {title: two}\n")
    assert loader.load_document(first)["info"]["title"] == "one"
    assert loader.load_document(second)["info"]["title"] == "two"


def test_a_document_json_cannot_hold_exactly_is_not_cached(cache: Path, tmp_path: Path) -> None:
    source = tmp_path / "dated.yaml"
    source.write_text("openapi: 3.1.0\ninfo: {title: t, released: 2026-11-24}\n")
    assert str(loader.load_document(source)["info"]["released"]) == "2026-11-24"
    assert list(cache.glob("*.json")) == []


def test_an_unwritable_cache_folder_does_not_stop_the_spec_loading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setattr(loader, "CACHE_DIR", blocker / "cache")
    assert loader.load_document()["openapi"].startswith("3.1")
