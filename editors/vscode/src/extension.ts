// The VS Code glue: starts the qwen-lsp binary through vscode-languageclient, maps settings to the server's
// configuration, and drives the status bar. Inline completions (LSP 3.18 textDocument/inlineCompletion) and
// code actions ("Fix this", "Complete this function") are vscode-languageclient's built-in features: no
// completion logic lives here. The logic worth testing lives in settings.ts, status.ts and binary.ts.

import * as fs from "fs";
import * as os from "os";
import * as vscode from "vscode";
import {
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
import { changeAction, readSettings, Settings, toServerConfig } from "./settings";
import { initialStatus, reduce, StatusEvent, view } from "./status";

const SECTION = "qwenLsp";
const LANGUAGES = ["python", "java"];

let client: LanguageClient | undefined;
let stopping = false;
let settings: Settings;
let status = initialStatus();
let statusItem: vscode.StatusBarItem;
let log: vscode.LogOutputChannel;

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
        switch (value.kind) {
          case "begin":
            update({ kind: "progressBegin", token: key, title: value.title, message: value.message, percentage: value.percentage });
            reporter?.report({ message: `${value.title}${value.message ? ": " + value.message : ""}${pct}` });
            log.info(`${value.title}${value.message ? ": " + value.message : ""}${pct}`);
            break;
          case "report":
            update({ kind: "progressReport", token: key, message: value.message, percentage: value.percentage });
            reporter?.report({ message: `${value.message ?? ""}${pct}` });
            break;
          case "end":
            update({ kind: "progressEnd", token: key });
            if (value.message) {
              log.info(value.message);
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

async function startClient(): Promise<void> {
  if (client) {
    return;
  }
  update({ kind: "starting" });
  const resolved = resolveBinary({
    configured: settings.serverPath,
    env: process.env,
    home: os.homedir(),
    platform: process.platform,
    workspaceFolder: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath,
    isExecutable,
  });
  if (!resolved.ok) {
    update({ kind: "failed", message: resolved.message });
    log.error(resolved.message);
    const open = "Open Settings";
    void vscode.window.showErrorMessage(resolved.message, open).then((choice) => {
      if (choice === open) {
        void vscode.commands.executeCommand("workbench.action.openSettings", "qwenLsp.serverPath");
      }
    });
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
    middleware: {
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
  lc.onDidChangeState(({ newState }) => {
    if (newState === State.Starting) {
      // Also after vscode-languageclient restarts a crashed server: leave the error state.
      update({ kind: "starting" });
    } else if (newState === State.Running) {
      update({ kind: "running" });
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
      if (e.affectsConfiguration(SECTION)) {
        void onConfigurationChanged();
      }
    }),
  );

  if (settings.enable) {
    await startClient();
  } else {
    update({ kind: "disabled" });
  }
}

export async function deactivate(): Promise<void> {
  await stopClient();
}
