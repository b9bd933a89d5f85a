// Which qwen-lsp binary the extension runs, on a fake file system.

import { test } from "node:test";
import * as assert from "node:assert/strict";
import { BinaryEnv, resolveBinary } from "../src/binary";

function env(files: string[], over: Partial<BinaryEnv> = {}): BinaryEnv {
  return {
    configured: "",
    env: { PATH: "/usr/local/bin:/usr/bin" },
    home: "/home/u",
    platform: "linux",
    isExecutable: (p) => files.includes(p),
    ...over,
  };
}

test("the setting wins, with ~ and ${workspaceFolder} expanded", () => {
  assert.deepEqual(resolveBinary(env(["/home/u/bin/qwen-lsp", "/usr/bin/qwen-lsp"], { configured: "~/bin/qwen-lsp" })), {
    ok: true,
    path: "/home/u/bin/qwen-lsp",
    source: "setting",
  });
  const r = resolveBinary(
    env(["/ws/target/debug/qwen-lsp"], { configured: "${workspaceFolder}/target/debug/qwen-lsp", workspaceFolder: "/ws" }),
  );
  assert.deepEqual(r, { ok: true, path: "/ws/target/debug/qwen-lsp", source: "setting" });
});

test("a setting that points at nothing is an error, not a fall-through to PATH", () => {
  const r = resolveBinary(env(["/usr/bin/qwen-lsp"], { configured: "/opt/typo/qwen-lsp" }));
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.message, /qwenLsp.serverPath.*\/opt\/typo\/qwen-lsp/);
});

test("then QWEN_LSP_PATH, then ~/.cargo/bin, then PATH in order", () => {
  const all = ["/x/qwen-lsp", "/home/u/.cargo/bin/qwen-lsp", "/usr/bin/qwen-lsp"];
  const withVar = { env: { QWEN_LSP_PATH: "/x/qwen-lsp", PATH: "/usr/bin" } };
  assert.deepEqual(resolveBinary(env(all, withVar)), { ok: true, path: "/x/qwen-lsp", source: "QWEN_LSP_PATH" });
  assert.deepEqual(resolveBinary(env(all)), { ok: true, path: "/home/u/.cargo/bin/qwen-lsp", source: "cargo" });
  assert.deepEqual(resolveBinary(env(["/usr/bin/qwen-lsp"])), { ok: true, path: "/usr/bin/qwen-lsp", source: "PATH" });
});

test("windows looks for qwen-lsp.exe on a ;-separated Path", () => {
  const r = resolveBinary(
    env(["C:\\tools\\qwen-lsp.exe"], { platform: "win32", home: "C:\\Users\\u", env: { Path: "C:\\bin;C:\\tools" } }),
  );
  assert.deepEqual(r, { ok: true, path: "C:\\tools\\qwen-lsp.exe", source: "PATH" });
});

test("nothing found says how to install", () => {
  const r = resolveBinary(env([]));
  assert.equal(r.ok, false);
  assert.match(r.ok ? "" : r.message, /cargo install --path server/);
});
