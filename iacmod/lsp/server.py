"""The iacmod Language Server over stdio, built on pygls.

- Diagnostics on open, change (debounced) and save, computed on the document's text (never the
  file on disk) by the engine ``check`` and ``apply`` use (``api.offered``): severity error →
  Error, warning → Warning, info → Information; ``code`` is the rule's code, ``source`` "iacmod",
  ``codeDescription.href`` the rule's page.
- Code actions: "Fix: …" (``quickfix``) per finding with a fix, safe and unsafe (labelled), whose
  ``WorkspaceEdit`` holds that fix alone (``api.fix_only``); "Fix all safe iacmod findings"
  (``source.fixAll.iacmod``) applies what ``iacmod apply`` would (``api.check_source``).
- Settings ``select``, ``ignore`` (lists or comma-separated strings) and ``unsafeFixes`` from
  ``initializationOptions`` and ``workspace/configuration`` (section ``iacmod``), on top of the
  configuration files (the nearest ``iacmod.toml``/``pyproject.toml`` of each document, with its
  ``exclude`` and per-file-ignores).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from iacmod import __version__, api
from iacmod.config import ConfigError
from iacmod.engine import Settings
from iacmod.findings import FileResult, Finding, FixSafety, Severity
from iacmod.formats import rule_url

log = logging.getLogger(__name__)

SOURCE = "iacmod"
FIX_ALL_KIND = "source.fixAll.iacmod"
DEBOUNCE_SECONDS = 0.3
# the engine runs on one worker thread, one document at a time: the event loop stays free to
# receive edits (which cancel pending runs), and the engine never runs in two threads at once
ENGINE = ThreadPoolExecutor(max_workers=1, thread_name_prefix="iacmod-engine")
SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
    Severity.INFO: types.DiagnosticSeverity.Information,
}


@dataclass
class UserSettings:
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None

    @classmethod
    def parse(cls, value: Any) -> UserSettings:
        if not isinstance(value, dict):
            return cls()
        if isinstance(value.get("iacmod"), dict):  # {"iacmod": {...}} as well as {...}
            value = value["iacmod"]

        def keys(raw: Any) -> tuple[str, ...]:
            if isinstance(raw, str):
                raw = raw.split(",")
            if not isinstance(raw, (list, tuple)):
                return ()
            return tuple(str(k).strip() for k in raw if str(k).strip())

        unsafe = value.get("unsafeFixes", value.get("unsafe-fixes"))
        return cls(keys(value.get("select")), keys(value.get("ignore")), bool(unsafe) if unsafe is not None else None)

    def options(self) -> api.RunOptions:
        return api.RunOptions(paths=(), select=self.select, ignore=self.ignore, unsafe_fixes=self.unsafe_fixes)


@dataclass
class State:
    settings: UserSettings = field(default_factory=UserSettings)
    pending: dict[str, asyncio.Task[None]] = field(default_factory=dict)  # uri → debounced run
    results: dict[str, tuple[int | None, FileResult]] = field(default_factory=dict)  # uri → (version, findings)


class IacmodServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("iacmod", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.state = State()


# -- positions -------------------------------------------------------------------------------------


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def to_lsp(lines: list[str], line: int, column: int) -> types.Position:
    """An engine position (1-based line, 1-based column in code points) as an LSP one (0-based,
    UTF-16 code units)."""
    row = max(line - 1, 0)
    if row >= len(lines):
        return types.Position(line=row, character=0)
    return types.Position(line=row, character=_utf16(lines[row][: max(column - 1, 0)]))


def _offset_position(text: str, offset: int) -> types.Position:
    before = text[:offset]
    row = before.count("\n")
    start = before.rfind("\n") + 1
    return types.Position(line=row, character=_utf16(before[start:]))


def minimal_edit(old: str, new: str) -> types.TextEdit:
    """One edit turning ``old`` into ``new``: the span between their common head and tail."""
    limit = min(len(old), len(new))
    head = 0
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    return types.TextEdit(
        range=types.Range(start=_offset_position(old, head), end=_offset_position(old, len(old) - tail)),
        new_text=new[head : len(new) - tail],
    )


# -- the engine on a document ----------------------------------------------------------------------


def _path_of(uri: str, document_path: str | None) -> Path:
    if document_path:
        return Path(document_path)
    return Path.cwd() / "untitled.py"


def settings_for(server: IacmodServer, path: Path) -> Settings | None:
    """The engine settings for a document (None when its configuration excludes it)."""
    try:
        settings, _ = api.settings_for_file(server.state.settings.options(), path)
    except ConfigError as exc:
        server.window_log_message(types.LogMessageParams(type=types.MessageType.Error, message=f"iacmod: {exc}"))
        return None
    return settings


def diagnostic(finding: Finding, lines: list[str]) -> types.Diagnostic:
    fix = {FixSafety.SAFE: " [fix available]", FixSafety.UNSAFE: " [unsafe fix available]"}.get(finding.safety, "")
    return types.Diagnostic(
        range=types.Range(
            start=to_lsp(lines, finding.span.start.line, finding.span.start.column),
            end=to_lsp(lines, finding.span.end.line, finding.span.end.column),
        ),
        message=f"{finding.rule}: {finding.message}{fix}",
        severity=SEVERITY[finding.severity],
        code=finding.code,
        code_description=types.CodeDescription(href=rule_url(finding.rule)),
        source=SOURCE,
        data={"key": list(finding.fix_key), "safety": finding.safety.value},
    )


def analyse(server: IacmodServer, uri: str) -> tuple[int | None, str, FileResult | None]:
    document = server.workspace.get_text_document(uri)
    text = document.source
    path = _path_of(uri, document.path)
    settings = settings_for(server, path)
    if settings is None:
        return document.version, text, None
    return document.version, text, api.offered(text.encode("utf-8"), path, settings)


def diagnostics_of(server: IacmodServer, uri: str) -> types.PublishDiagnosticsParams | None:
    """The document's diagnostics (on the engine's thread); None when it changed meanwhile."""
    version, text, result = analyse(server, uri)
    current = server.workspace.get_text_document(uri)
    if current.version != version:
        return None  # changed meanwhile: the next run publishes
    lines = text.split("\n")
    diagnostics = []
    if result is not None:
        server.state.results[uri] = (version, result)
        diagnostics = [diagnostic(f, lines) for f in result.findings]
        for error in result.errors:
            row = max(error.line - 1, 0)
            col = max((error.column or 1) - 1, 0)
            diagnostics.append(
                types.Diagnostic(
                    range=types.Range(
                        start=types.Position(line=row, character=col), end=types.Position(line=row, character=col)
                    ),
                    message=error.message,
                    severity=types.DiagnosticSeverity.Error,
                    source=SOURCE,
                )
            )
    else:
        server.state.results.pop(uri, None)
    return types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics, version=version)


async def _run_later(server: IacmodServer, uri: str, delay: float) -> None:
    try:
        if delay:
            await asyncio.sleep(delay)
        params = await asyncio.get_running_loop().run_in_executor(ENGINE, diagnostics_of, server, uri)
        if params is not None and server.workspace.get_text_document(uri).version == params.version:
            server.text_document_publish_diagnostics(params)  # on the event loop
    except asyncio.CancelledError:
        pass
    except Exception:  # noqa: BLE001 - never take the server down
        log.exception("iacmod: diagnostics failed for %s", uri)


def schedule(server: IacmodServer, uri: str, delay: float = 0.0) -> None:
    previous = server.state.pending.pop(uri, None)
    if previous is not None:
        previous.cancel()
    server.state.pending[uri] = asyncio.ensure_future(_run_later(server, uri, delay))


# -- the server ------------------------------------------------------------------------------------


server = IacmodServer()


@server.feature(types.INITIALIZE)
def on_initialize(ls: IacmodServer, params: types.InitializeParams) -> None:
    ls.state.settings = UserSettings.parse(params.initialization_options)


async def _pull_configuration(ls: IacmodServer) -> None:
    capabilities = ls.client_capabilities
    if not (capabilities and capabilities.workspace and capabilities.workspace.configuration):
        return
    try:
        values = await ls.workspace_configuration_async(
            types.ConfigurationParams(items=[types.ConfigurationItem(section="iacmod")])
        )
    except Exception:  # noqa: BLE001 - a client that cannot answer keeps the initial settings
        return
    if values and isinstance(values[0], dict):
        ls.state.settings = UserSettings.parse(values[0])
    for document_uri in list(ls.workspace.text_documents):
        schedule(ls, document_uri)


@server.feature(types.INITIALIZED)
async def on_initialized(ls: IacmodServer, params: types.InitializedParams) -> None:
    await _pull_configuration(ls)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: IacmodServer, params: types.DidChangeConfigurationParams) -> None:
    if isinstance(params.settings, dict) and params.settings:
        ls.state.settings = UserSettings.parse(params.settings)
        for document_uri in list(ls.workspace.text_documents):
            schedule(ls, document_uri)
    await _pull_configuration(ls)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: IacmodServer, params: types.DidOpenTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: IacmodServer, params: types.DidChangeTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri, DEBOUNCE_SECONDS)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def on_save(ls: IacmodServer, params: types.DidSaveTextDocumentParams) -> None:
    schedule(ls, params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: IacmodServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    task = ls.state.pending.pop(uri, None)
    if task is not None:
        task.cancel()
    ls.state.results.pop(uri, None)
    ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))


def _overlaps(a: types.Range, b: types.Range) -> bool:
    a0, a1 = (a.start.line, a.start.character), (a.end.line, a.end.character)
    b0, b1 = (b.start.line, b.start.character), (b.end.line, b.end.character)
    return a0 <= b1 and b0 <= a1


def _wanted(only: Sequence[str] | None, kind: str) -> bool:
    if not only:
        return True
    return any(kind == k or kind.startswith(k + ".") for k in only)


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION,
    types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
)
async def on_code_action(ls: IacmodServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    return await asyncio.get_running_loop().run_in_executor(ENGINE, code_actions, ls, params)


def code_actions(ls: IacmodServer, params: types.CodeActionParams) -> list[types.CodeAction]:
    uri = params.text_document.uri
    document = ls.workspace.get_text_document(uri)
    text = document.source
    path = _path_of(uri, document.path)
    settings = settings_for(ls, path)
    if settings is None:
        return []
    data = text.encode("utf-8")
    cached = ls.state.results.get(uri)
    result = cached[1] if cached and cached[0] == document.version else api.offered(data, path, settings)
    lines = text.split("\n")
    only = params.context.only
    actions: list[types.CodeAction] = []

    def edit_for(fixed: FileResult) -> types.WorkspaceEdit | None:
        if not fixed.changed or fixed.new_source is None:
            return None
        new = fixed.new_source.decode("utf-8")
        return types.WorkspaceEdit(changes={uri: [minimal_edit(text, new)]})

    if _wanted(only, types.CodeActionKind.QuickFix):
        for finding in result.findings:
            if not finding.fixable:
                continue
            diag = diagnostic(finding, lines)
            if not _overlaps(diag.range, params.range):
                continue
            edit = edit_for(api.fix_only(data, path, settings, [finding.fix_key]))
            if edit is None:
                continue  # not applicable alone (code embedded in a string): "Fix all" has it
            unsafe = finding.safety is FixSafety.UNSAFE
            actions.append(
                types.CodeAction(
                    title=f"Fix: {finding.rule} ({finding.code}){' [unsafe: review the change]' if unsafe else ''}",
                    kind=types.CodeActionKind.QuickFix,
                    diagnostics=[diag],
                    edit=edit,
                    is_preferred=not unsafe,
                )
            )
    if _wanted(only, FIX_ALL_KIND):
        edit = edit_for(api.check_source(data, path, settings))
        if edit is not None:
            title = (
                "Fix all iacmod findings (unsafe fixes too)"
                if settings.unsafe_fixes
                else "Fix all safe iacmod findings"
            )
            actions.append(types.CodeAction(title=title, kind=FIX_ALL_KIND, edit=edit))
    return actions


def main() -> None:
    server.start_io()
