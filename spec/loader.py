"""Read the bundled OpenAPI document into typed objects."""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from . import i18n
from .model import (
    HTTP_METHODS,
    Conflict,
    Operation,
    Parameter,
    ReasonRule,
    ResultCatalogue,
    ResultCode,
    TableRow,
    Webhook,
)
from .rules import Rule, rules_of

SPEC_FILE = "pns-openapi.yaml"

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
CACHE_DIR = Path.home() / ".cache" / "pns-mock" / "spec"


def spec_path() -> Path:
    """Where the bundled spec lives (inside the installed package)."""
    return Path(str(resources.files(__package__).joinpath(SPEC_FILE)))


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")


def resolve_pointer(document: Mapping[str, Any], pointer: str) -> Any:
    node: Any = document
    for token in pointer.lstrip("#").split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        node = node[int(token)] if isinstance(node, list) else node[token]
    return node


class Spec:
    """The parsed PNS spec: operations, webhooks, result codes and call-failure tables.

    `lang` is the language of its prose: `load("zh-CN")` reads the same document with the texts
    of the `x-pns-i18n` overlay in place (English where a text has no translation).
    """

    def __init__(self, document: Mapping[str, Any], lang: str = i18n.ENGLISH) -> None:
        self.document = document
        self.lang = lang
        self.result_codes = ResultCatalogue(
            {rc.code: rc for rc in (_result_code(item) for item in document["x-pns-result-codes"])}
        )
        common = self.result_codes.common()
        self.operations: dict[str, Operation] = {}
        for path, item in document.get("paths", {}).items():
            for method in HTTP_METHODS:
                if method in item:
                    op = _operation(document, path, method, item[method], common)
                    self.operations[op.operation_id] = op
        # (HTTP method in upper case, path) -> operation: what a server routes on.
        self.routes: dict[tuple[str, str], Operation] = {
            (op.method.upper(), op.path): op for op in self.operations.values()
        }
        self.webhooks: dict[str, Webhook] = {
            name: Webhook(
                name=name,
                mode=item["post"].get("x-pns-mode", ""),
                vendor_doc=item["post"].get("x-vendor-doc", ""),
                pointer=f"/webhooks/{_escape(name)}/post",
                raw=item["post"],
            )
            for name, item in document.get("webhooks", {}).items()
        }
        self.hangup_causes = _table(document.get("x-pns-hangup-causes", []))
        self.disconnect_points = _table(document.get("x-pns-disconnect-points", []))
        self.q850_causes = _table(document.get("x-pns-q850-causes", []))
        self.delivery: Mapping[str, Any] = document.get("x-pns-delivery", {})
        self.rules: dict[str, Rule] = rules_of(document)

    def rules_for(self, operation_id: str) -> tuple[Rule, ...]:
        """The business rules (`x-pns-rules`) that apply to one operation, in spec order."""
        return tuple(rule for rule in self.rules.values() if operation_id in rule.operations)

    def resolve(self, pointer: str) -> Any:
        return resolve_pointer(self.document, pointer)

    def deref(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """The schema a (chain of) `$ref` points to; other schemas unchanged."""
        return _deref(self.document, schema)

    def conflicts(self) -> list[Conflict]:
        """Every `x-pns-conflict` in the document, with where it stands."""
        return [
            Conflict(pointer, c.get("summary", ""), c.get("accepted", ""), c.get("why", ""))
            for pointer, c in _walk_conflicts(self.document, "")
        ]


def _walk_conflicts(node: Any, pointer: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            here = f"{pointer}/{_escape(str(key))}"
            if key in ("x-pns-conflict", "conflict") and isinstance(value, Mapping):
                yield pointer, value
            else:
                yield from _walk_conflicts(value, here)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _walk_conflicts(value, f"{pointer}/{index}")


def _result_code(item: Mapping[str, Any]) -> ResultCode:
    conflict = item.get("conflict")
    reason = item.get("reason")
    return ResultCode(
        code=str(item["code"]),
        http_status=int(item["httpStatus"]),
        text=item["text"],
        meaning=item.get("meaning", ""),
        trigger=item.get("trigger", ""),
        handling=item.get("handling", ""),
        retryable=item.get("handlingClass") == "transient",
        family=item.get("family", ""),
        scope=item.get("scope", "operation"),
        source=item.get("source", ""),
        alternative_texts=tuple(item.get("alternativeTexts", ())),
        handling_class=item.get("handlingClass", ""),
        handling_reason=item.get("handlingReason", ""),
        placeholder=str(item.get("placeholder", {}).get("marker", "")),
        placeholder_example=str(item.get("placeholder", {}).get("example", "")),
        reason=(
            ReasonRule(
                str(reason["joiner"]),
                int(reason["maxLength"]),
                {str(p["when"]): str(p["text"]) for p in reason["phrases"]},
                str(reason.get("example", "")),
            )
            if reason
            else None
        ),
        conflict=(
            Conflict(
                f"/x-pns-result-codes/{item['code']}",
                conflict.get("summary", ""),
                conflict.get("accepted", ""),
                conflict.get("why", ""),
            )
            if conflict
            else None
        ),
    )


def _deref(document: Mapping[str, Any], node: Mapping[str, Any]) -> Mapping[str, Any]:
    while "$ref" in node:
        node = resolve_pointer(document, node["$ref"])
    return node


def _operation(
    document: Mapping[str, Any],
    path: str,
    method: str,
    raw: Mapping[str, Any],
    common: tuple[str, ...],
) -> Operation:
    params = tuple(
        Parameter(
            name=p["name"],
            location=p["in"],
            required=bool(p.get("required", False)),
            schema=p.get("schema", {}),
            description=p.get("description", ""),
        )
        for p in (_deref(document, p) for p in raw.get("parameters", ()))
    )
    body = raw.get("requestBody")
    return Operation(
        operation_id=raw["operationId"],
        method=method,
        path=path,
        mode=raw.get("x-pns-mode", ""),
        vendor_name=raw.get("x-vendor-name", ""),
        vendor_doc=raw.get("x-vendor-doc", ""),
        pointer=f"/paths/{_escape(path)}/{method}",
        parameters=params,
        specific_codes=tuple(str(c) for c in raw.get("x-pns-result-codes", ())),
        common_codes=common,
        one_of=tuple(tuple(group) for group in raw.get("x-pns-one-of", ())),
        has_body=body is not None and "application/json" in body.get("content", {}),
        body_required=bool(body and body.get("required", False)),
        raw=raw,
    )


def _table(rows: list[Mapping[str, Any]]) -> dict[int, TableRow]:
    return {int(r["code"]): TableRow(int(r["code"]), r.get("text", ""), r.get("category", "")) for r in rows}


def load_document(path: Path | None = None) -> dict[str, Any]:
    raw = (path or spec_path()).read_bytes()
    # Parsing the YAML costs about 0.1 s of CPU, reading the same document as JSON a tenth of
    # that; every `pns-mock` command pays it at start, so the parsed form is kept by content digest.
    cached = CACHE_DIR / f"{hashlib.sha256(raw).hexdigest()[:32]}.json"
    try:
        document: dict[str, Any] = json.loads(cached.read_bytes())
        return document
    except (OSError, ValueError):
        pass
    document = yaml.load(raw.decode("utf-8"), Loader=_Loader)
    _keep(cached, document)
    return document


def _keep(target: Path, document: dict[str, Any]) -> None:
    """Store the parsed document when JSON holds it exactly; a cache that cannot be written is skipped."""
    try:
        text = json.dumps(document, ensure_ascii=False)
        if json.loads(text) != document:  # e.g. YAML dates or integer keys: parse the YAML each time
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(text)
            os.replace(tmp, target)
        finally:
            Path(tmp).unlink(missing_ok=True)
    except (OSError, TypeError, ValueError):
        return


def languages(document: Mapping[str, Any] | None = None) -> tuple[str, ...]:
    """English, then every language the spec's `x-pns-i18n` declares an overlay for."""
    declared = (document if document is not None else _english().document).get("x-pns-i18n", {})
    return (i18n.ENGLISH, *declared)


@functools.cache
def overlay(lang: str) -> i18n.Overlay:
    """The translations of one language, by owner pointer (empty for English)."""
    if lang == i18n.ENGLISH:
        return {}
    declared = _english().document.get("x-pns-i18n", {})
    if lang not in declared:
        raise ValueError(f"no translation for {lang!r}: the spec declares {', '.join(languages())}")
    path = spec_path().parent / str(declared[lang])
    loaded = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader) or {}
    return {str(k): {str(f): str(t) for f, t in (v or {}).items()} for k, v in loaded.items()}


def text(owner: str, key: str, lang: str = i18n.ENGLISH) -> str:
    """One text of the spec in `lang`, English when it has no translation (or `lang` is English).

    `owner` is the overlay pointer of the object holding the text (see `spec.i18n`).
    """
    english = str(i18n.resolve(_english().document, owner).get(key, ""))
    translated = i18n.lookup(overlay(lang), i18n.Text(owner, key, english)) if lang != i18n.ENGLISH else None
    return translated if translated is not None else english


@functools.cache
def _english() -> Spec:
    return Spec(load_document())


@functools.cache
def load(lang: str = i18n.ENGLISH) -> Spec:
    """The bundled spec, parsed once per process and language."""
    if lang == i18n.ENGLISH:
        return _english()
    return Spec(i18n.localize(_english().document, overlay(lang)), lang)
