// The VS Code end-to-end test: the packaged .vsix in a real VS Code (code-server 4.100.3 = VS Code 1.100.3),
// in Debian's headless Chromium driven by playwright-core, against the real qwen-lsp on the tiny committed
// checkpoint. Run by scripts/test-editors.sh after scripts/fetch-code-server.sh:
//   QWEN_CODE_SERVER_DIR=<cache>/code-server-4.100.3 QWEN_LSP_BIN=target/debug/qwen-lsp \
//   QWEN_LSP_TEST_MODEL=tests/models/qwen3-tiny QWEN_VSIX=qwen-lsp.vsix node editors/vscode/e2e/run.mjs
// Asserts, in order: the extension activates and the status bar tells the truth (ready; a model that does not
// exist shows an error, not ready; a good one recovers); ghost text appears after typing and Tab accepts it (the
// file on disk holds it after a save); ghost text appears while the suggest widget is open; "Complete this
// function" resolves and its edit lands; "Fix this" is offered on a syntax error the server published itself,
// resolves, and its edit lands. Screenshots go to $QWEN_SCREENSHOTS (default editors/vscode/screenshots).
// Random weights: the suggestions are gibberish, which is why syntax validation is off and the code actions
// generate a few tokens; what is tested is the plumbing, end to end, in the real editor.

import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { createRequire } from "node:module";

const env = (name) => {
  const v = process.env[name];
  if (!v) {
    throw new Error(`${name} is not set`);
  }
  return v;
};
const csDir = env("QWEN_CODE_SERVER_DIR");
const bin = path.resolve(env("QWEN_LSP_BIN"));
const model = path.resolve(env("QWEN_LSP_TEST_MODEL"));
const vsix = path.resolve(env("QWEN_VSIX"));
const shots = path.resolve(process.env.QWEN_SCREENSHOTS || new URL("../screenshots", import.meta.url).pathname);
const chromiumPath = process.env.QWEN_CHROMIUM || "/usr/bin/chromium";
const require = createRequire(path.join(csDir, "package.json"));
const { chromium } = require("playwright-core");
const codeServer = path.join(csDir, "node_modules", ".bin", "code-server");

const started = Date.now();
const say = (msg) => console.log(`[vscode-e2e ${((Date.now() - started) / 1000).toFixed(1)}s] ${msg}`);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "qwen-vscode-e2e-"));
const userData = path.join(tmp, "user-data");
const extensions = path.join(tmp, "extensions");
const workspace = path.join(tmp, "workspace");
const settingsFile = path.join(userData, "User", "settings.json");
fs.mkdirSync(path.dirname(settingsFile), { recursive: true });
fs.mkdirSync(workspace, { recursive: true });
fs.mkdirSync(shots, { recursive: true });

const baseSettings = {
  "qwenLsp.serverPath": bin,
  "qwenLsp.model": model,
  "qwenLsp.completion.validateSyntax": false,
  "qwenLsp.completion.sampling.maxTokens": 8,
  "qwenLsp.actions.candidates": 1,
  "qwenLsp.actions.sampling.maxTokens": 2,
  "qwenLsp.actions.runTests": false,
  "qwenLsp.diagnostics.runTests": false,
  "workbench.startupEditor": "none",
  "workbench.tips.enabled": false,
  "workbench.enableExperiments": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "security.workspace.trust.enabled": false,
  "telemetry.telemetryLevel": "off",
  "update.mode": "none",
  "extensions.autoCheckUpdates": false,
  "extensions.ignoreRecommendations": true,
  "chat.commandCenter.enabled": false,
  "editor.inlineSuggest.enabled": true,
  "editor.minimap.enabled": false,
  "files.autoSave": "off",
  "window.commandCenter": false,
};
const writeSettings = (extra = {}) =>
  fs.writeFileSync(settingsFile, JSON.stringify({ ...baseSettings, ...extra }, null, 2));
writeSettings();

const files = {
  "geometry.py": "import math\n\n\ndef circle_area(radius):\n    return math.pi * radius ** 2\n\n\ndef square_area(side):\n    \n",
  "todo.py": "def add(a, b):\n    pass\n",
  "broken.py": "def add(a, b):\n    return a +\n",
};
for (const [name, text] of Object.entries(files)) {
  fs.writeFileSync(path.join(workspace, name), text);
}
const readFile = (name) => fs.readFileSync(path.join(workspace, name), "utf8");

const children = [];
function cleanup() {
  for (const c of children) {
    try {
      process.kill(-c.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
}
process.on("exit", cleanup);

say(`installing ${path.basename(vsix)} into a fresh extensions dir`);
const install = spawnSync(
  codeServer,
  ["--extensions-dir", extensions, "--user-data-dir", userData, "--install-extension", vsix],
  { encoding: "utf8", env: { ...process.env, XDG_CONFIG_HOME: tmp } },
);
if (install.status !== 0) {
  throw new Error(`code-server --install-extension failed:\n${install.stdout}\n${install.stderr}`);
}

const port = await freePort();
say(`starting code-server on 127.0.0.1:${port}`);
const serverLog = [];
const cs = spawn(
  codeServer,
  [
    "--bind-addr", `127.0.0.1:${port}`,
    "--auth", "none",
    "--disable-telemetry",
    "--disable-update-check",
    "--disable-workspace-trust",
    "--disable-getting-started-override",
    "--extensions-dir", extensions,
    "--user-data-dir", userData,
    workspace,
  ],
  { detached: true, env: { ...process.env, XDG_CONFIG_HOME: tmp, QWEN_LSP_LOG: "info" } },
);
children.push(cs);
cs.stdout.on("data", (d) => serverLog.push(String(d)));
cs.stderr.on("data", (d) => serverLog.push(String(d)));
for (let i = 0; ; i++) {
  if (serverLog.join("").includes("HTTP server listening")) {
    break;
  }
  if (i > 300 || cs.exitCode !== null) {
    throw new Error(`code-server did not start:\n${serverLog.join("")}`);
  }
  await sleep(100);
}

const browser = await chromium.launch({
  executablePath: chromiumPath,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
});
const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
const consoleErrors = [];
page.on("console", (m) => {
  if (m.type() === "error") {
    consoleErrors.push(m.text());
  }
});
let failed = false;
try {
  await run();
} catch (e) {
  failed = true;
  console.error(e);
  await page.screenshot({ path: path.join(shots, "failure.png") }).catch(() => {});
  console.error(`code-server log tail:\n${serverLog.join("").slice(-3000)}`);
  console.error(`qwen-lsp output channel:\n${await outputChannelText().catch((err) => String(err))}`);
} finally {
  await browser.close().catch(() => {});
  cleanup();
}
if (failed) {
  process.exit(1);
}
say("passed");
process.exit(0);

// ---------------------------------------------------------------------------------------------------------

async function until(what, ms, fn) {
  const deadline = Date.now() + ms;
  let last;
  for (;;) {
    try {
      last = await fn();
      if (last) {
        return last;
      }
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${ms} ms waiting for ${what} (last: ${last})`);
    }
    await sleep(200);
  }
}

/** The qwen-lsp status bar item: its codicon (e.g. "check") and its tooltip-bearing aria label. */
async function statusItem() {
  return page.evaluate(() => {
    const items = [...document.querySelectorAll(".statusbar-item")];
    const item = items.find((el) => /Qwen/.test(el.textContent ?? ""));
    if (!item) {
      return null;
    }
    const icons = [...item.querySelectorAll(".codicon")].map((i) =>
      [...i.classList].filter((c) => c.startsWith("codicon-") && c !== "codicon-modifier-spin").join(" "),
    );
    const label = item.querySelector("a")?.getAttribute("aria-label") ?? item.getAttribute("aria-label") ?? "";
    return { text: (item.textContent ?? "").trim(), icons, label, error: item.classList.contains("error-kind") };
  });
}

async function waitStatus(what, ms, pred) {
  return until(`status: ${what}`, ms, async () => {
    const s = await statusItem();
    return s && pred(s) ? s : false;
  });
}

async function command(name) {
  await page.keyboard.press("F1");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`>${name}`);
  await sleep(300);
  await page.keyboard.press("Enter");
}

async function openFile(name) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(name);
  await until(`quick open to list ${name} first`, 10_000, async () =>
    ((await page.locator(".quick-input-list .monaco-list-row").first().textContent()) ?? "").includes(name),
  );
  await page.keyboard.press("Enter");
  await page.locator(`.tab.active[aria-label^="${name}"]`).waitFor({ state: "visible", timeout: 15_000 });
  await page.locator(".monaco-editor .view-lines").first().click({ position: { x: 5, y: 5 } });
}

/** Moves the cursor to 1-based line/column (quick open's `:line:column`). */
async function goTo(line, column) {
  await page.keyboard.press("Control+P");
  const input = page.locator(".quick-input-widget input");
  await input.waitFor({ state: "visible" });
  await input.fill(`:${line}:${column}`);
  await sleep(200);
  await page.keyboard.press("Enter");
  await sleep(200);
}

async function save() {
  await page.keyboard.press("Control+S");
  await sleep(500);
}

async function ghostText() {
  return page.evaluate(() =>
    [...document.querySelectorAll(".ghost-text-decoration, .ghost-text-decoration-preview, .ghost-text")]
      .map((e) => e.textContent ?? "")
      .join(""),
  );
}

async function outputChannelText() {
  await command("qwen-lsp: Show log");
  await sleep(1000);
  return page.evaluate(() =>
    [...document.querySelectorAll(".output-view .view-line, .panel .view-line")].map((l) => l.textContent).join("\n"),
  );
}

async function shot(name) {
  await page.screenshot({ path: path.join(shots, `${name}.png`) });
  say(`screenshot ${name}.png`);
}

async function quickFixes() {
  await page.keyboard.press("Control+.");
  await page.locator(".action-widget").waitFor({ state: "visible", timeout: 15_000 });
  await sleep(500);
  return page.evaluate(() =>
    [...document.querySelectorAll(".action-widget [role=option], .action-widget .monaco-list-row")].map((r) =>
      (r.textContent ?? "").trim(),
    ),
  );
}

/** Picks an entry of the open code-action menu with the keyboard (a pointer block covers it from the mouse). */
async function pickAction(title) {
  for (let i = 0; i < 10; i++) {
    const focused = await page.evaluate(
      () => document.querySelector(".action-widget .monaco-list-row.focused")?.textContent ?? "",
    );
    if (focused.includes(title)) {
      await page.keyboard.press("Enter");
      return;
    }
    await page.keyboard.press("ArrowDown");
    await sleep(100);
  }
  throw new Error(`${title} could not be selected in the code-action menu`);
}

async function run() {
  say(`opening VS Code in ${path.basename(chromiumPath)}`);
  await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
  await page.locator(".monaco-workbench").waitFor({ state: "visible", timeout: 60_000 });
  await page.locator(".statusbar").waitFor({ state: "visible", timeout: 60_000 });
  await sleep(2000);

  // 1. Activation (onLanguage:python) and a status bar that tells the truth.
  await openFile("geometry.py");
  const ready = await waitStatus("ready (check icon)", 120_000, (s) => s.icons.includes("codicon-check"));
  say(`status: ${JSON.stringify(ready)}`);
  await shot("01-ready");

  // The Settings UI: Model and Server Path first, no "Qwen Lsp" prefix. Then a model path typed into it, one
  // keystroke at a time, that does not exist: the status bar shows the error, not ready; retyping the real path
  // recovers.
  await command("Preferences: Open Settings (UI)");
  await page.locator(".settings-editor").waitFor({ state: "visible", timeout: 15_000 });
  await sleep(1000);
  await page.keyboard.type("@ext:qwen-lsp.qwen-lsp", { delay: 20 });
  await sleep(2500);
  const rows = await page.evaluate(() =>
    [...document.querySelectorAll(".settings-editor .setting-item-contents")].map((r) => ({
      category: (r.querySelector(".setting-item-category")?.textContent ?? "").trim(),
      label: (r.querySelector(".setting-item-label")?.textContent ?? "").trim(),
    })),
  );
  say(`settings UI, first rows: ${JSON.stringify(rows.slice(0, 3))}`);
  await shot("02-settings-ui");
  if (rows[0]?.label !== "Model" || rows[1]?.label !== "Server Path") {
    throw new Error(`the Settings UI does not list Model and Server Path first: ${JSON.stringify(rows)}`);
  }
  const groups = await page.evaluate(() =>
    [...document.querySelectorAll(".settings-toc-container .monaco-list-row")].map((r) => (r.textContent ?? "").trim()),
  );
  say(`settings UI groups: ${JSON.stringify(groups)}`);
  for (const g of ["qwen-lsp", "Inline complet", "Fix this and Co", "Diagnostics"]) {
    if (!groups.some((t) => t.startsWith(g))) {
      throw new Error(`the Settings UI has no group ${g}: ${JSON.stringify(groups)}`);
    }
  }
  // Without a search, in its group, a setting is shown without the key's "Qwen Lsp" prefix.
  await page.keyboard.press("Control+A");
  await page.keyboard.press("Backspace");
  await sleep(1000);
  const tocExt = page.locator(".settings-toc-container .monaco-list-row", { hasText: /^Extensions/ }).first();
  await tocExt.click().catch(() => {});
  await sleep(800);
  const tocOurs = page.locator(".settings-toc-container .monaco-list-row", { hasText: /^qwen-lsp: local/ }).first();
  await tocOurs.click().catch(() => {});
  await sleep(1500);
  const unsearched = await page.evaluate(() =>
    [...document.querySelectorAll(".settings-editor .setting-item-contents")].map((r) => ({
      category: (r.querySelector(".setting-item-category")?.textContent ?? "").trim(),
      label: (r.querySelector(".setting-item-label")?.textContent ?? "").trim(),
    })),
  );
  say(`settings UI, the extension's group: ${JSON.stringify(unsearched.slice(0, 3))}`);
  await shot("02b-settings-ui-group");
  await page.locator(".settings-editor .settings-header .monaco-editor").first().click().catch(() => {});
  await page.keyboard.type("@ext:qwen-lsp.qwen-lsp", { delay: 20 });
  await sleep(2000);
  const modelInput = page
    .locator(".settings-editor .setting-item-contents")
    .filter({ has: page.locator(".setting-item-label", { hasText: /^Model$/ }) })
    .locator("input")
    .first();
  const typeModel = async (value) => {
    await modelInput.click();
    await page.keyboard.press("Control+A");
    await page.keyboard.type(value, { delay: 40 });
  };
  await typeModel(path.join(tmp, "no-such-model"));
  const noModel = await waitStatus("an error for a model that does not exist", 60_000, (s) =>
    s.icons.includes("codicon-error"),
  );
  if (!/no model/i.test(noModel.label)) {
    throw new Error(`the error status does not say why: ${JSON.stringify(noModel)}`);
  }
  say(`status with a missing model: ${JSON.stringify(noModel)}`);
  await shot("03-no-model");
  await page.keyboard.press("Escape");
  await modelInput.fill(model);
  await waitStatus("ready again after retyping the model", 120_000, (s) => s.icons.includes("codicon-check"));
  say("ready again");
  await page.keyboard.press("Control+W");
  await sleep(500);
  await command("Notifications: Clear All Notifications");
  await sleep(300);

  // 2. Ghost text after typing; Tab accepts it.
  await page.locator(".monaco-editor .view-lines").first().click({ position: { x: 5, y: 5 } });
  await goTo(9, 5);
  await page.keyboard.type("return side", { delay: 60 });
  await page.keyboard.press("Escape"); // close the suggest widget, if word completion opened it
  await page.keyboard.type(" ", { delay: 60 });
  say("typed `return side `; waiting for ghost text");
  const ghost = await until("ghost text", 60_000, async () => {
    const g = await ghostText();
    return g.trim() ? g : false;
  });
  say(`ghost text: ${JSON.stringify(ghost)}`);
  await shot("04-ghost-text");
  await page.keyboard.press("Tab");
  await sleep(500);
  await save();
  const accepted = readFile("geometry.py");
  const line9 = accepted.split("\n")[8];
  const firstGhostLine = ghost.split("\n")[0].trim();
  if (!line9.startsWith("    return side ") || !line9.includes(firstGhostLine.slice(0, 4))) {
    throw new Error(`Tab did not accept the ghost text ${JSON.stringify(ghost)}: line 9 is ${JSON.stringify(line9)}`);
  }
  say(`accepted: ${JSON.stringify(line9)}`);

  // 3. Ghost text while the suggest widget is open (selectedCompletionInfo).
  await page.keyboard.press("End");
  await page.keyboard.press("Enter");
  await page.keyboard.type("ra", { delay: 80 });
  await page.locator(".suggest-widget.visible").waitFor({ state: "visible", timeout: 15_000 });
  const focusedItem = () =>
    page.evaluate(() => document.querySelector(".suggest-widget .monaco-list-row.focused .label-name")?.textContent ?? "");
  // Select `radius` (word completion offers it from line 4); VS Code asks again with the new selected item.
  for (let i = 0; i < 6 && (await focusedItem()) !== "radius"; i++) {
    await page.keyboard.press("ArrowDown");
    await sleep(150);
  }
  const selectedItem = await focusedItem();
  if (selectedItem !== "radius") {
    throw new Error(`the suggest widget does not offer radius (focused: ${JSON.stringify(selectedItem)})`);
  }
  // The ghost text continues the selected item ("ra" + "dius..."): VS Code shows an inline item beside its
  // widget only if it extends the selected one (the server got selectedCompletionInfo).
  const both = await until("ghost text extending `radius` with the suggest widget open", 60_000, async () => {
    const visible = await page.locator(".suggest-widget.visible").count();
    const g = await ghostText();
    return visible > 0 && g.startsWith("dius") && g.length > "dius".length ? g : false;
  });
  say(`ghost text beside the suggest widget (selected item ${JSON.stringify(selectedItem)}): ${JSON.stringify(both)}`);
  await shot("05-ghost-text-with-suggest-widget");
  await page.keyboard.press("Escape");
  await page.keyboard.press("Escape");

  // 4. "Complete this function" resolves and applies.
  await openFile("todo.py");
  await goTo(2, 6);
  const offered = await until("Complete this function to be offered", 30_000, async () => {
    const titles = await quickFixes();
    if (titles.some((t) => t.includes("Complete this function (Qwen)"))) {
      return titles;
    }
    await page.keyboard.press("Escape");
    return false;
  });
  say(`code actions: ${JSON.stringify(offered)}`);
  await shot("06-complete-this-function-offered");
  await pickAction("Complete this function (Qwen)");
  const completed = await until("the completed function to land", 120_000, async () => {
    await save();
    const t = readFile("todo.py");
    return t !== files["todo.py"] ? t : false;
  });
  if (completed.includes("    pass\n")) {
    throw new Error(`"Complete this function" left the placeholder: ${JSON.stringify(completed)}`);
  }
  say(`completed: ${JSON.stringify(completed)}`);
  await shot("07-function-completed");

  // 5. "Fix this" on the syntax error the server published itself.
  await openFile("broken.py");
  await page.locator(".squiggly-error").first().waitFor({ state: "attached", timeout: 30_000 });
  await goTo(2, 12);
  await page.keyboard.press("Control+K");
  await page.keyboard.press("Control+I"); // Show Hover: the diagnostic's message and source
  const hover = await until("the hover with the server's diagnostic", 10_000, async () => {
    const t = await page.evaluate(() =>
      [...document.querySelectorAll(".monaco-hover")].map((h) => h.textContent ?? "").join(" "),
    );
    return t.includes("qwen-lsp") ? t : false;
  });
  say(`hover: ${JSON.stringify(hover.slice(0, 120))}`);
  await shot("08-server-diagnostic");
  await page.keyboard.press("Escape");
  await goTo(2, 15);
  const fixes = await until("Fix this to be offered", 30_000, async () => {
    const titles = await quickFixes();
    if (titles.some((t) => t.includes("Fix this (Qwen)"))) {
      return titles;
    }
    await page.keyboard.press("Escape");
    return false;
  });
  say(`quick fixes on the server's diagnostic: ${JSON.stringify(fixes)}`);
  await pickAction("Fix this (Qwen)");
  const fixed = await until("the fix to land", 120_000, async () => {
    await save();
    const t = readFile("broken.py");
    return t !== files["broken.py"] ? t : false;
  });
  say(`fixed: ${JSON.stringify(fixed)}`);
  await until("the server's syntax error to clear", 30_000, async () =>
    (await page.locator(".squiggly-error").count()) === 0,
  );
  await shot("09-fix-applied");
}
