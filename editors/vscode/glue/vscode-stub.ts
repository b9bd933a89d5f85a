// A minimal, in-process stand-in for the `vscode` module: just enough of the API surface that
// vscode-languageclient and src/extension.ts touch to start the real qwen-lsp binary, sync a document, and
// call the inline-completion provider the client registers. It is NOT VS Code: no editor, no rendering, no
// keybindings. It records what the extension does (status bar texts, registered providers, commands) so
// glue.test.ts can assert on it.
/* eslint-disable @typescript-eslint/no-explicit-any */

type Listener<T> = (e: T) => unknown;

export class EventEmitter<T> {
  private listeners: Listener<T>[] = [];
  event = (listener: Listener<T>) => {
    this.listeners.push(listener);
    return new Disposable(() => (this.listeners = this.listeners.filter((l) => l !== listener)));
  };
  fire(e: T): void {
    for (const l of [...this.listeners]) {
      l(e);
    }
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Disposable {
  constructor(private readonly fn?: () => void) {}
  static from(...items: { dispose(): unknown }[]): Disposable {
    return new Disposable(() => items.forEach((i) => i.dispose()));
  }
  dispose(): void {
    this.fn?.();
  }
}

export class Uri {
  private constructor(
    readonly scheme: string,
    readonly authority: string,
    readonly path: string,
    readonly query = "",
    readonly fragment = "",
  ) {}
  static file(p: string): Uri {
    return new Uri("file", "", p);
  }
  static parse(s: string): Uri {
    const m = /^([a-z][\w+.-]*):(?:\/\/([^/]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/i.exec(s);
    if (!m) {
      throw new Error("bad uri " + s);
    }
    return new Uri(m[1], m[2] ?? "", decodeURIComponent(m[3]), m[4] ?? "", m[5] ?? "");
  }
  get fsPath(): string {
    return this.path;
  }
  with(change: Partial<{ scheme: string; path: string }>): Uri {
    return new Uri(change.scheme ?? this.scheme, this.authority, change.path ?? this.path);
  }
  toString(): string {
    return `${this.scheme}://${this.authority}${encodeURI(this.path)}`;
  }
  toJSON(): unknown {
    return this.toString();
  }
}

export class Position {
  constructor(
    readonly line: number,
    readonly character: number,
  ) {}
  isEqual(o: Position): boolean {
    return o.line === this.line && o.character === this.character;
  }
}

export class Range {
  readonly start: Position;
  readonly end: Position;
  constructor(a: any, b: any, c?: number, d?: number) {
    if (typeof a === "number") {
      this.start = new Position(a, b);
      this.end = new Position(c!, d!);
    } else {
      this.start = a;
      this.end = b;
    }
  }
  get isEmpty(): boolean {
    return this.start.isEqual(this.end);
  }
}

export class Selection extends Range {}
export class Location {
  constructor(
    readonly uri: Uri,
    readonly range: Range,
  ) {}
}

export class InlineCompletionItem {
  constructor(
    public insertText: string | { value: string },
    public range?: Range,
    public command?: unknown,
  ) {}
  filterText?: string;
}
export class InlineCompletionList {
  constructor(public items: InlineCompletionItem[]) {}
}
export class SnippetString {
  constructor(public value = "") {}
}
export class MarkdownString {
  constructor(public value = "") {}
}
export class ThemeColor {
  constructor(readonly id: string) {}
}
export class CancellationError extends Error {}
export class CancellationTokenSource {
  private emitter = new EventEmitter<void>();
  token = { isCancellationRequested: false, onCancellationRequested: this.emitter.event };
  cancel(): void {
    this.token.isCancellationRequested = true;
    this.emitter.fire();
  }
  dispose(): void {}
}
export class CodeActionKind {
  static readonly Empty = new CodeActionKind("");
  static readonly QuickFix = new CodeActionKind("quickfix");
  static readonly Refactor = new CodeActionKind("refactor");
  static readonly RefactorRewrite = new CodeActionKind("refactor.rewrite");
  static readonly Source = new CodeActionKind("source");
  constructor(readonly value: string) {}
  append(part: string): CodeActionKind {
    return new CodeActionKind(this.value ? `${this.value}.${part}` : part);
  }
}
export class TabInputText {}
export class TabInputTextDiff {}
export class TabInputNotebook {}
export class TabInputCustom {}

export enum StatusBarAlignment {
  Left = 1,
  Right = 2,
}
export enum ProgressLocation {
  SourceControl = 1,
  Window = 10,
  Notification = 15,
}
export enum ConfigurationTarget {
  Global = 1,
  Workspace = 2,
  WorkspaceFolder = 3,
}
export enum LogLevel {
  Off = 0,
  Trace = 1,
  Debug = 2,
  Info = 3,
  Warning = 4,
  Error = 5,
}
export enum EndOfLine {
  LF = 1,
  CRLF = 2,
}
export enum InlineCompletionTriggerKind {
  Invoke = 0,
  Automatic = 1,
}
export enum CodeActionTriggerKind {
  Invoke = 1,
  Automatic = 2,
}
export enum DiagnosticSeverity {
  Error = 0,
  Warning = 1,
  Information = 2,
  Hint = 3,
}

export const version = "1.91.0";

/** What the extension did, for assertions. */
/** Fire to move an editor's cursor: `{ textEditor: { document, selection: { active } } }`. */
export const selectionChanged = new EventEmitter<unknown>();

export const recorded = {
  statusTexts: [] as string[],
  statusTooltips: [] as string[],
  log: [] as string[],
  errors: [] as string[],
  inlineProviders: [] as { selector: unknown; provider: any }[],
  codeActionProviders: [] as { selector: unknown; provider: any }[],
  commands: new Map<string, (...args: unknown[]) => unknown>(),
  progressMessages: [] as string[],
};

/** Settings below `qwenLsp.`, as a test sets them. */
export const settingsStore = new Map<string, unknown>();
const configurationChanged = new EventEmitter<{ affectsConfiguration(section: string): boolean }>();
const opened = new EventEmitter<any>();
const changed = new EventEmitter<any>();
const closed = new EventEmitter<any>();

function channel(name: string) {
  const write = (level: string) => (msg: string) => recorded.log.push(`${name} [${level}] ${msg}`);
  return {
    name,
    logLevel: LogLevel.Info,
    onDidChangeLogLevel: new EventEmitter<LogLevel>().event,
    trace: write("trace"),
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: (msg: unknown) => write("error")(String(msg)),
    append: write("append"),
    appendLine: write("line"),
    replace: write("replace"),
    clear: () => {},
    show: () => {},
    hide: () => {},
    dispose: () => {},
  };
}

export const window = {
  createOutputChannel: (name: string) => channel(name),
  createStatusBarItem: () => {
    const item: any = { show() {}, hide() {}, dispose() {} };
    let text = "";
    let tooltip = "";
    Object.defineProperty(item, "text", {
      get: () => text,
      set: (v: string) => {
        text = v;
        recorded.statusTexts.push(v);
      },
    });
    Object.defineProperty(item, "tooltip", {
      get: () => tooltip,
      set: (v: string) => {
        tooltip = v;
        recorded.statusTooltips.push(v);
      },
    });
    return item;
  },
  showErrorMessage: async (msg: string) => {
    recorded.errors.push(msg);
    return undefined;
  },
  showWarningMessage: async (msg: string) => {
    recorded.log.push(`warning message: ${msg}`);
    return undefined;
  },
  showInformationMessage: async (msg: string) => {
    recorded.log.push(`info message: ${msg}`);
    return undefined;
  },
  withProgress: async (_opts: unknown, task: (p: { report(v: { message?: string }): void }) => Promise<unknown>) =>
    task({ report: (v) => recorded.progressMessages.push(v.message ?? "") }),
  activeTextEditor: undefined,
  visibleTextEditors: [],
  onDidChangeVisibleTextEditors: new EventEmitter<unknown>().event,
  onDidChangeActiveTextEditor: new EventEmitter<unknown>().event,
  onDidChangeTextEditorSelection: selectionChanged.event,
  tabGroups: { all: [], onDidChangeTabs: new EventEmitter<unknown>().event },
  showTextDocument: async () => undefined,
};

export const workspace: any = {
  workspaceFolders: undefined,
  textDocuments: [] as any[],
  notebookDocuments: [],
  getConfiguration: (section?: string) => ({
    get: (key: string, fallback?: unknown) => {
      const full = section ? `${section}.${key}` : key;
      const k = full.replace(/^qwenLsp\./, "");
      return settingsStore.has(k) ? settingsStore.get(k) : fallback;
    },
    has: (key: string) => settingsStore.has(key),
    inspect: () => undefined,
    update: async (key: string, value: unknown) => {
      settingsStore.set(key, value);
      configurationChanged.fire({ affectsConfiguration: (s: string) => `qwenLsp.${key}`.startsWith(s) });
    },
  }),
  onDidChangeConfiguration: configurationChanged.event,
  onDidOpenTextDocument: opened.event,
  onDidChangeTextDocument: changed.event,
  onDidCloseTextDocument: closed.event,
  onDidSaveTextDocument: new EventEmitter<unknown>().event,
  onWillSaveTextDocument: new EventEmitter<unknown>().event,
  onDidChangeWorkspaceFolders: new EventEmitter<unknown>().event,
  onDidOpenNotebookDocument: new EventEmitter<unknown>().event,
  onDidChangeNotebookDocument: new EventEmitter<unknown>().event,
  onDidSaveNotebookDocument: new EventEmitter<unknown>().event,
  onDidCloseNotebookDocument: new EventEmitter<unknown>().event,
  onDidCreateFiles: new EventEmitter<unknown>().event,
  onDidRenameFiles: new EventEmitter<unknown>().event,
  onDidDeleteFiles: new EventEmitter<unknown>().event,
  onWillCreateFiles: new EventEmitter<unknown>().event,
  onWillRenameFiles: new EventEmitter<unknown>().event,
  onWillDeleteFiles: new EventEmitter<unknown>().event,
  createFileSystemWatcher: () => ({
    onDidCreate: new EventEmitter<unknown>().event,
    onDidChange: new EventEmitter<unknown>().event,
    onDidDelete: new EventEmitter<unknown>().event,
    dispose() {},
  }),
  applyEdit: async () => true,
  registerTextDocumentContentProvider: () => new Disposable(),
};

/** Opens a document: VS Code's onDidOpenTextDocument with a plain-text TextDocument. */
export function openDocument(path: string, languageId: string, text: string): any {
  const lines = text.split("\n");
  const offsetAt = (p: Position) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const doc = {
    uri: Uri.file(path),
    fileName: path,
    languageId,
    version: 1,
    isClosed: false,
    isDirty: false,
    isUntitled: false,
    eol: EndOfLine.LF,
    lineCount: lines.length,
    getText: (r?: Range) => (r ? text.slice(offsetAt(r.start), offsetAt(r.end)) : text),
    offsetAt,
    lineAt: (l: number | Position) => {
      const n = typeof l === "number" ? l : l.line;
      return { text: lines[n], lineNumber: n, range: new Range(n, 0, n, lines[n].length) };
    },
    save: async () => true,
  };
  workspace.textDocuments.push(doc);
  opened.fire(doc);
  return doc;
}

function matchOne(filter: any, doc: any): number {
  if (typeof filter === "string") {
    return filter === doc.languageId ? 10 : 0;
  }
  if (filter.language && filter.language !== doc.languageId) {
    return 0;
  }
  if (filter.scheme && filter.scheme !== doc.uri.scheme) {
    return 0;
  }
  return 10;
}

export const languages = {
  match: (selector: any, doc: any) =>
    Math.max(0, ...(Array.isArray(selector) ? selector : [selector]).map((f: any) => matchOne(f, doc))),
  registerInlineCompletionItemProvider: (selector: unknown, provider: unknown) => {
    recorded.inlineProviders.push({ selector, provider });
    return new Disposable();
  },
  registerCompletionItemProvider: () => new Disposable(),
  registerCodeActionsProvider: (selector: unknown, provider: unknown) => {
    recorded.codeActionProviders.push({ selector, provider });
    return new Disposable();
  },
  createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, forEach() {}, get() {}, has: () => false, dispose() {} }),
};

export const commands = {
  registerCommand: (id: string, fn: (...args: unknown[]) => unknown) => {
    recorded.commands.set(id, fn);
    return new Disposable(() => recorded.commands.delete(id));
  },
  executeCommand: async (id: string, ...args: unknown[]) => recorded.commands.get(id)?.(...args),
};

export const env = { appName: "vscode-stub", language: "en", openExternal: async () => true, machineId: "stub" };
export const extensions = { getExtension: () => undefined, all: [] };

// Base classes vscode-languageclient extends at load time; only constructible shells are needed here.
class Shell {
  constructor(...args: unknown[]) {
    Object.assign(this, { args });
  }
}
export class CallHierarchyItem extends Shell {}
export class CodeLens extends Shell {}
export class CompletionItem extends Shell {}
export class DocumentLink extends Shell {}
export class InlayHint extends Shell {}
export class SymbolInformation extends Shell {}
export class TypeHierarchyItem extends Shell {}
export class CodeAction {
  kind?: CodeActionKind;
  diagnostics?: unknown[];
  edit?: unknown;
  constructor(
    public title: string,
    kind?: CodeActionKind,
  ) {
    this.kind = kind;
  }
}
export class Diagnostic extends Shell {}
