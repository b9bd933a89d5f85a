// The VS Code glue: starts the qwen-lsp binary through vscode-languageclient, maps settings to the server's
// configuration, and drives the status bar. Inline completions (LSP 3.18 textDocument/inlineCompletion) and
// code actions ("Fix this", "Complete this function") are vscode-languageclient's built-in features: no
// completion logic lives here. The logic worth testing lives in settings.ts, status.ts, binary.ts,
// serverlog.ts and debounce.ts.

import * as fs from "fs";
import * as os from "os";
import * as readline from "readline";
import * as vscode from "vscode";
import {
  CodeActionResolveRequest,
  DidChangeConfigurationNotification,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
  StaticFeature,
  WorkDoneProgress,
  WorkDoneProgressCreateRequest,
} from "vscode-languageclient/node";
import { resolveBinary } from "./binary";
import { Debouncer } from "./debounce";
import { describeFailure, parseLogLine } from "./serverlog";
import { changeAction, readSettings, Settings, toServerConfig } from "./settings";
import { initialStatus, reduce, StatusEvent, view } from "./status";

const SECTION = "qwenLsp";
const LANGUAGES = ["python", "java"];
/** Settings typed in the Settings UI arrive one keystroke at a time; they apply after this quiet period. */
const SETTINGS_DEBOUNCE_MS = 750;
/** How long the cursor rests before the server is told where it is (it warms the prompt there). */
const FOCUS_REST_MS = 500;
/** While the binary is missing, how often to look for it again (a `cargo install` after activation). */
const BINARY_POLL_MS = 3000;
/** The server's progress tokens of model loads (server/src/loader.rs). */
const LOAD_TOKEN_PREFIX = "qwen-lsp/load-model/";

let client: LanguageClient | undefined;
let stopping = false;
let settings: Settings;
let status = initialStatus();
let statusItem: vscode.StatusBarItem;
let log: vscode.LogOutputChannel;
const settingsDebounce = new Debouncer(SETTINGS_DEBOUNCE_MS);
const focusDebounce = new Debouncer(FOCUS_REST_MS);
let binaryPoll: ReturnType<typeof setInterval> | undefined;
const traceLevelChanged = new vscode.EventEmitter<vscode.LogLevel>();

function update(event: StatusEvent): void {
  status = reduce(status, event);
  const v = view(status);
  statusItem.text = v.text;
  statusItem.tooltip = v.tooltip;
  statusItem.backgroundColor =
    v.severity === "normal" ? undefined : new vscode.ThemeColor(`statusBarItem.${v.severity}Background`);
}

function loadSettings(): Settings {
  const cfg = vscode.workspace.getConfiguration(SECTION);
  const { settings: s, problems } = readSettings((key) => cfg.get(key));
  for (const p of problems) {
    log.warn(`ignoring ${p.key}: ${p.message}`);
  }
  return s;
}

function isExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) {
      return false;
    }
    if (process.platform !== "win32") {
      fs.accessSync(p, fs.constants.X_OK);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Shows the server's work-done progress (model download and load) in the status bar and the window's progress
 * area. It replaces vscode-languageclient's own `window/workDoneProgress/create` handler (registered later, it
 * wins), because that one offers no hook for the status bar; the window progress is reproduced here.
 */
class StatusProgressFeature implements StaticFeature {
  constructor(private readonly lc: LanguageClient) {}
  getState() {
    return { kind: "static" as const };
  }
  fillClientCapabilities(capabilities: { window?: { workDoneProgress?: boolean } }): void {
    capabilities.window = capabilities.window ?? {};
    capabilities.window.workDoneProgress = true;
  }
  initialize(): void {
    this.lc.onRequest(WorkDoneProgressCreateRequest.type, ({ token }) => {
      const key = String(token);
      let finish = () => {};
      let reporter: vscode.Progress<{ message?: string }> | undefined;
      void vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: "qwen-lsp" }, (p) => {
        reporter = p;
        return new Promise<void>((resolve) => (finish = resolve));
      });
      const sub = this.lc.onProgress(WorkDoneProgress.type, token, (value) => {
        const pct = value.kind !== "end" && value.percentage !== undefined ? ` ${value.percentage}%` : "";
        const load = key.startsWith(LOAD_TOKEN_PREFIX);
        switch (value.kind) {
          case "begin":
            update({ kind: "progressBegin", token: key, title: value.title, message: value.message, percentage: value.percentage, load });
            reporter?.report({ message: `${value.title}${value.message ? ": " + value.message : ""}${pct}` });
            log.info(`${value.title}${value.message ? ": " + value.message : ""}${pct}`);
            break;
          case "report":
            update({ kind: "progressReport", token: key, message: value.message, percentage: value.percentage });
            reporter?.report({ message: `${value.message ?? ""}${pct}` });
            break;
          case "end":
            // The server logs how it ended itself; the end of a load says nothing of whether it worked, so
            // the status bar asks.
            update({ kind: "progressEnd", token: key });
            if (load) {
              void refreshModelStatus(this.lc);
            }
            finish();
            sub.dispose();
            break;
        }
      });
    });
  }
  clear(): void {}
}

/** Asks the server where its model is (`qwen-lsp/status`) and shows it. */
async function refreshModelStatus(lc: LanguageClient): Promise<void> {
  try {
    const s = await lc.sendRequest<{ model: string; error?: string }>("qwen-lsp/status");
    if (lc !== client) {
      return;
    }
    if (s.model === "ready") {
      update({ kind: "modelReady" });
    } else if (s.model === "failed") {
      update({ kind: "modelFailed", message: s.error ?? "the model failed to load" });
    }
  } catch (e) {
    log.warn(`qwen-lsp/status: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * The channel vscode-languageclient writes the JSON-RPC trace to. Its own check is the channel's log level
 * (Trace, or nothing is traced), so a plain `qwenLsp.trace.server: "messages"` printed nothing while the
 * channel stayed at Info. This one reports the level the setting asks for and writes the trace into the log
 * at info level, where it shows without touching the channel's level.
 */
function traceChannel(): vscode.LogOutputChannel {
  const level = () =>
    vscode.workspace.getConfiguration(SECTION).get<string>("trace.server", "off") === "off"
      ? vscode.LogLevel.Off
      : vscode.LogLevel.Trace;
  const write = (message: string) => log.info(message);
  return {
    name: "qwen-lsp trace",
    get logLevel() {
      return level();
    },
    onDidChangeLogLevel: traceLevelChanged.event,
    trace: write,
    debug: write,
    info: write,
    warn: write,
    error: (e: string | Error) => log.error(e instanceof Error ? e.message : e),
    append: (v: string) => log.append(v),
    appendLine: write,
    replace: (v: string) => log.replace(v),
    clear: () => {},
    show: (...args: unknown[]) => log.show(...(args as [boolean])),
    hide: () => log.hide(),
    dispose: () => {},
  } as vscode.LogOutputChannel;
}

function stopBinaryPoll(): void {
  if (binaryPoll !== undefined) {
    clearInterval(binaryPoll);
    binaryPoll = undefined;
  }
}

function resolveServer() {
  return resolveBinary({
    configured: settings.serverPath,
    env: process.env,
    home: os.homedir(),
    platform: process.platform,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isExecutable,
  });
}

async function startClient(): Promise<void> {
  if (client) {
    return;
  }
  update({ kind: "starting" });
  stopBinaryPoll();
  const resolved = resolveServer();
  if (!resolved.ok) {
    update({ kind: "failed", message: resolved.message });
    log.error(resolved.message);
    const open = "Open Settings";
    void vscode.window.showErrorMessage(resolved.message, open).then((choice) => {
      if (choice === open) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "qwenLsp.serverPath");
      }
    });
    // A binary installed later (`cargo install`, a build) is picked up without a restart.
    binaryPoll = setInterval(() => {
      if (!settings.enable || client) {
        stopBinaryPoll();
      } else if (resolveServer().ok) {
        log.info("found the qwen-lsp binary; starting it");
        stopBinaryPoll();
        void startClient();
      }
    }, BINARY_POLL_MS);
    return;
  }
  log.info(`starting ${resolved.path} (found via ${resolved.source})`);

  // No `transport`: with TransportKind.stdio vscode-languageclient appends `--stdio` to the arguments, which
  // `qwen-lsp serve` rejects; without it the client still talks over the process's stdin/stdout.
  const run = { command: resolved.path, args: ["serve", ...settings.serverArgs] };
  const serverOptions: ServerOptions = { run, debug: run };
  const clientOptions: LanguageClientOptions = {
    documentSelector: LANGUAGES.flatMap((language) => [
      { scheme: "file", language },
      { scheme: "untitled", language },
    ]),
    initializationOptions: () => toServerConfig(settings),
    outputChannel: log,
    traceOutputChannel: traceChannel(),
    // The server's stderr carries `tracing` lines: each goes to the log at its own level (the default logs
    // every line as an error).
    stdioOptions: {
      stdout: (input: NodeJS.ReadableStream) => lines(input, (line) => log.info(line)),
      stderr: (input: NodeJS.ReadableStream) =>
        lines(input, (line) => {
          const { level, text } = parseLogLine(line);
          log[level](text);
        }),
    },
    middleware: {
      // Resolving runs the model and the file's tests (seconds; the server reports progress). A failure is
      // shown as the server's sentence, not as a failed JSON-RPC request with its error code.
      resolveCodeAction: async (item, token) => {
        const lc = client;
        if (!lc) {
          return item;
        }
        try {
          const result = await lc.sendRequest(
            CodeActionResolveRequest.type,
            lc.code2ProtocolConverter.asCodeActionSync(item),
            token,
          );
          return token.isCancellationRequested ? item : lc.protocol2CodeConverter.asCodeAction(result, token);
        } catch (e) {
          const message = describeFailure(e);
          if (message !== undefined) {
            log.warn(message);
            void vscode.window.showWarningMessage(message);
          }
          return item;
        }
      },
      provideInlineCompletionItems: async (document, position, context, token, next) => {
        update({ kind: "requestStarted" });
        try {
          return await next(document, position, context, token);
        } finally {
          update({ kind: "requestFinished" });
        }
      },
    },
  };

  const lc = new LanguageClient(SECTION, "qwen-lsp", serverOptions, clientOptions);
  lc.registerFeature(new StatusProgressFeature(lc));
  lc.onNotification("qwen-lsp/dropped", (params: { message?: string }) => {
    update({ kind: "dropped", message: params.message ?? "the server dropped it" });
  });
  lc.onDidChangeState(({ newState }) => {
    if (newState === State.Starting) {
      // Also after vscode-languageclient restarts a crashed server: leave the error state.
      update({ kind: "starting" });
    } else if (newState === State.Running) {
      update({ kind: "running" });
      void refreshModelStatus(lc);
      sendFocus(vscode.window.activeTextEditor);
    } else if (newState === State.Stopped && !stopping) {
      update({ kind: "failed", message: "the server stopped" });
    }
  });
  client = lc;
  try {
    await lc.start();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    log.error(`could not start qwen-lsp: ${message}`);
    update({ kind: "failed", message });
    client = undefined;
  }
}

/**
 * Tells the server which document the user is looking at and where the cursor is (`qwen-lsp/didFocus`), so it
 * warms the model's cache for a completion there before the first keystroke.
 */
function sendFocus(editor: vscode.TextEditor | undefined): void {
  const lc = client;
  const document = editor?.document;
  if (!lc || !lc.isRunning() || !editor || !document || !LANGUAGES.includes(document.languageId)) {
    return;
  }
  if (document.uri.scheme !== "file" && document.uri.scheme !== "untitled") {
    return;
  }
  const { line, character } = editor.selection.active;
  void lc
    .sendNotification("qwen-lsp/didFocus", {
      textDocument: lc.code2ProtocolConverter.asTextDocumentIdentifier(document),
      position: { line, character },
    })
    .catch((e: unknown) => log.warn(`qwen-lsp/didFocus: ${e instanceof Error ? e.message : String(e)}`));
}

function lines(input: NodeJS.ReadableStream, each: (line: string) => void): void {
  readline.createInterface({ input, crlfDelay: Infinity, terminal: false, historySize: 0 }).on("line", each);
}

async function stopClient(): Promise<void> {
  const lc = client;
  client = undefined;
  if (!lc) {
    return;
  }
  stopping = true;
  try {
    await lc.stop(5000);
  } catch (e) {
    log.warn(`stopping qwen-lsp: ${e instanceof Error ? e.message : String(e)}`);
  } finally {
    stopping = false;
  }
}

async function setEnabled(enable: boolean): Promise<void> {
  await vscode.workspace.getConfiguration(SECTION).update("enable", enable, vscode.ConfigurationTarget.Global);
}

/**
 * Turning the extension on or off applies at once; anything else after a quiet period, so a model path or
 * binary path typed into the Settings UI loads (or restarts) once, for the finished value.
 */
function onConfigurationEvent(): void {
  const next = loadSettings();
  if (next.enable !== settings.enable) {
    settingsDebounce.cancel();
    void onConfigurationChanged();
  } else {
    settingsDebounce.call(() => void onConfigurationChanged());
  }
}

async function onConfigurationChanged(): Promise<void> {
  const next = loadSettings();
  const action = changeAction(settings, next);
  settings = next;
  switch (action) {
    case "start":
      await startClient();
      break;
    case "stop":
      await stopClient();
      update({ kind: "disabled" });
      break;
    case "restart":
      await stopClient();
      await startClient();
      break;
    case "notify":
      if (client?.isRunning()) {
        await client.sendNotification(DidChangeConfigurationNotification.type, { settings: toServerConfig(settings) });
      }
      break;
    case "none":
      break;
  }
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  log = vscode.window.createOutputChannel("qwen-lsp", { log: true });
  statusItem = vscode.window.createStatusBarItem("qwenLsp.status", vscode.StatusBarAlignment.Right, 100);
  statusItem.name = "qwen-lsp";
  statusItem.command = "qwenLsp.toggle";
  statusItem.show();
  context.subscriptions.push(log, statusItem);

  settings = loadSettings();
  context.subscriptions.push(
    vscode.commands.registerCommand("qwenLsp.enable", () => setEnabled(true)),
    vscode.commands.registerCommand("qwenLsp.disable", () => setEnabled(false)),
    vscode.commands.registerCommand("qwenLsp.toggle", () => setEnabled(!settings.enable)),
    vscode.commands.registerCommand("qwenLsp.restartServer", async () => {
      await stopClient();
      if (settings.enable) {
        await startClient();
      }
    }),
    vscode.commands.registerCommand("qwenLsp.showLog", () => log.show()),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.trace.server`)) {
        traceLevelChanged.fire(vscode.LogLevel.Trace);
      }
      if (e.affectsConfiguration(SECTION)) {
        onConfigurationEvent();
      }
    }),
    vscode.window.onDidChangeActiveTextEditor((editor) => {
      focusDebounce.cancel();
      sendFocus(editor);
    }),
    vscode.window.onDidChangeTextEditorSelection((e) => focusDebounce.call(() => sendFocus(e.textEditor))),
    { dispose: () => (settingsDebounce.cancel(), focusDebounce.cancel(), stopBinaryPoll()) },
  );

  if (settings.enable) {
    await startClient();
  } else {
    update({ kind: "disabled" });
  }
}

export async function deactivate(): Promise<void> {
  settingsDebounce.cancel();
  focusDebounce.cancel();
  stopBinaryPoll();
  await stopClient();
}
