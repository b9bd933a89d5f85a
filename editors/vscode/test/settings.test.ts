// Settings -> server configuration: what a user writes in settings.json and what the server receives.

import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { changeAction, readSettings, SERVER_SETTINGS, toServerConfig } from "../src/settings";

const from = (values: Record<string, unknown>) => readSettings((key) => values[key]);

test("defaults send an empty configuration so the server's own defaults apply", () => {
  const { settings, problems } = from({
    dtype: "auto",
    quantize: "auto",
    kvCache: "auto",
    model: "",
    "completion.multiline": null,
  });
  assert.deepEqual(problems, []);
  assert.equal(settings.enable, true);
  assert.deepEqual(toServerConfig(settings), {});
});

test("settings nest into the server's camelCase JSON (server/src/config.rs)", () => {
  const { settings, problems } = from({
    model: " Qwen/Qwen2.5-Coder-1.5B ",
    dtype: "f16",
    device: "cuda:1",
    quantize: "q8_0",
    kvCache: "f32",
    prefixCacheMb: 256,
    "secrets.enabled": false,
    "workspaceIndex.enabled": false,
    "completion.sampling.maxTokens": 64,
    "completion.sampling.temperature": 0.2,
    "completion.sampling.topP": 0.95,
    "completion.sampling.topK": 40,
    "completion.sampling.seed": 7,
    "completion.contextTokens": 2048,
    "completion.coldContextTokens": 128,
    "completion.suffixRerunMs": 0,
    "completion.multiline": "never",
    "completion.validateSyntax": false,
    debounceMs: 150,
    "actions.sampling.maxTokens": 256,
    "actions.candidates": 3,
    "actions.runTests": false,
    "actions.contextTokens": 1024,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(toServerConfig(settings), {
    model: "Qwen/Qwen2.5-Coder-1.5B",
    dtype: "f16",
    device: "cuda:1",
    quantize: "q8_0",
    kvCache: "f32",
    prefixCacheMb: 256,
    secrets: { enabled: false },
    workspaceIndex: { enabled: false },
    completion: {
      sampling: { maxTokens: 64, temperature: 0.2, topP: 0.95, topK: 40, seed: 7 },
      contextTokens: 2048,
      coldContextTokens: 128,
      suffixRerunMs: 0,
      multiline: "never",
      validateSyntax: false,
    },
    debounceMs: 150,
    actions: { sampling: { maxTokens: 256 }, candidates: 3, runTests: false, contextTokens: 1024 },
  });
});

test("null (VS Code's 'unset' for nullable settings) is left out", () => {
  const { settings } = from({
    "completion.sampling.temperature": null,
    "completion.sampling.maxTokens": 32,
    "completion.validateSyntax": null,
  });
  assert.deepEqual(toServerConfig(settings), { completion: { sampling: { maxTokens: 32 } } });
});

test("a temperature of 0 (greedy) and a debounce of 0 are sent, not mistaken for unset", () => {
  const { settings } = from({ "completion.sampling.temperature": 0, debounceMs: 0 });
  assert.deepEqual(toServerConfig(settings), { completion: { sampling: { temperature: 0 } }, debounceMs: 0 });
});

test("bad values are dropped and reported, not thrown", () => {
  const { settings, problems } = from({
    dtype: "f8",
    "completion.sampling.topP": 1.5,
    "completion.sampling.maxTokens": 12.5,
    "completion.contextTokens": "lots",
    enable: "yes",
    serverArgs: ["--verbose", 3],
  });
  assert.deepEqual(toServerConfig(settings), {});
  assert.equal(settings.enable, true);
  assert.deepEqual(settings.serverArgs, []);
  assert.deepEqual(
    problems.map((p) => p.key).sort(),
    [
      "qwenLsp.completion.contextTokens",
      "qwenLsp.completion.sampling.maxTokens",
      "qwenLsp.completion.sampling.topP",
      "qwenLsp.dtype",
      "qwenLsp.enable",
      "qwenLsp.serverArgs",
    ],
  );
  assert.match(problems.find((p) => p.key === "qwenLsp.completion.sampling.topP")!.message, /outside \[0, 1\]/);
});

test("a new binary restarts the server; a new model or sampling is re-sent to it", () => {
  const base = from({ model: "a" }).settings;
  assert.equal(changeAction(base, from({ model: "a", serverPath: "/opt/qwen-lsp" }).settings), "restart");
  assert.equal(changeAction(base, from({ model: "a", serverArgs: ["--log", "debug"] }).settings), "restart");
  assert.equal(changeAction(base, from({ model: "b" }).settings), "notify");
  assert.equal(changeAction(base, from({ model: "a", "completion.sampling.temperature": 0.5 }).settings), "notify");
  assert.equal(changeAction(base, from({ model: "a", debounceMs: 10 }).settings), "notify");
  assert.equal(changeAction(base, from({ model: "a" }).settings), "none");
});

test("toggling enable starts and stops; changes while disabled do nothing", () => {
  const on = from({}).settings;
  const off = from({ enable: false }).settings;
  assert.equal(changeAction(on, off), "stop");
  assert.equal(changeAction(off, on), "start");
  assert.equal(changeAction(off, from({ enable: false, model: "other" }).settings), "none");
});

test("package.json declares exactly the settings the mapping reads", () => {
  // Compiled to out/test/, so the manifest is two levels up.
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const categories: { properties: Record<string, unknown> }[] = manifest.contributes.configuration;
  const declared = categories.flatMap((c) => Object.keys(c.properties)).map((k) => k.replace(/^qwenLsp\./, ""));
  const read = [...Object.keys(SERVER_SETTINGS), "enable", "serverPath", "serverArgs", "trace.server"];
  assert.deepEqual([...declared].sort(), [...read].sort());
});

test("the Settings UI lists Model and Server Path first, in titled groups (finding 8)", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8"));
  const categories: { id: string; title: string; order: number; properties: Record<string, { order?: number }> }[] =
    manifest.contributes.configuration;
  assert.deepEqual(
    categories.map((c) => [c.order, c.title]),
    [
      [0, "qwen-lsp"],
      [1, "Inline completions"],
      [2, "Fix this and Complete this function"],
      [3, "Diagnostics"],
    ],
  );
  for (const c of categories) {
    const keys = Object.keys(c.properties);
    // VS Code trims a setting's category by the group id, so "qwenLsp.completion.sampling.maxTokens" under the
    // id "qwenLsp.completion" shows as "Sampling: Max Tokens", not "Qwen Lsp › Completion › Sampling: ...".
    assert.ok(keys.every((k) => k.startsWith(c.id + ".")), `${c.id}: ${keys.join(", ")}`);
    assert.deepEqual(
      keys.map((k) => c.properties[k].order),
      keys.map((_, i) => i),
      `every setting of ${c.title} has its order`,
    );
  }
  const first = Object.keys(categories[0].properties);
  assert.deepEqual(first.slice(0, 2), ["qwenLsp.model", "qwenLsp.serverPath"]);
});
