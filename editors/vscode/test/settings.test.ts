// Settings -> server configuration: what a user writes in settings.json and what the server receives.

import { test } from "node:test";
import * as assert from "node:assert/strict";
import { changeAction, readSettings, toServerConfig } from "../src/settings";

const from = (values: Record<string, unknown>) => readSettings((key) => values[key]);

test("defaults send an empty configuration so the server's own defaults apply", () => {
  const { settings, problems } = from({});
  assert.deepEqual(problems, []);
  assert.equal(settings.enable, true);
  assert.deepEqual(toServerConfig(settings), {});
});

test("every setting maps to the server's camelCase key", () => {
  const { settings, problems } = from({
    model: " Qwen/Qwen2.5-Coder-1.5B ",
    dtype: "f16",
    device: "cuda",
    "sampling.maxTokens": 64,
    "sampling.temperature": 0.2,
    "sampling.topP": 0.95,
    "sampling.topK": 40,
    "sampling.seed": 7,
    contextTokens: 2048,
    debounceMs: 150,
    validateSyntax: false,
  });
  assert.deepEqual(problems, []);
  assert.deepEqual(toServerConfig(settings), {
    model: "Qwen/Qwen2.5-Coder-1.5B",
    dtype: "f16",
    device: "cuda",
    sampling: { maxTokens: 64, temperature: 0.2, topP: 0.95, topK: 40, seed: 7 },
    contextTokens: 2048,
    debounceMs: 150,
    validateSyntax: false,
  });
});

test("null (VS Code's 'unset' for nullable settings) is left out", () => {
  const { settings } = from({ "sampling.temperature": null, "sampling.maxTokens": 32, validateSyntax: null });
  assert.deepEqual(toServerConfig(settings), { sampling: { maxTokens: 32 } });
});

test("a temperature of 0 (greedy) is sent, not mistaken for unset", () => {
  const { settings } = from({ "sampling.temperature": 0, debounceMs: 0 });
  assert.deepEqual(toServerConfig(settings), { sampling: { temperature: 0 }, debounceMs: 0 });
});

test("bad values are dropped and reported, not thrown", () => {
  const { settings, problems } = from({
    dtype: "f8",
    "sampling.topP": 1.5,
    "sampling.maxTokens": 12.5,
    contextTokens: "lots",
    enable: "yes",
    serverArgs: ["--verbose", 3],
  });
  assert.deepEqual(toServerConfig(settings), {});
  assert.equal(settings.enable, true);
  assert.deepEqual(settings.serverArgs, []);
  assert.deepEqual(
    problems.map((p) => p.key).sort(),
    [
      "qwenLsp.contextTokens",
      "qwenLsp.dtype",
      "qwenLsp.enable",
      "qwenLsp.sampling.maxTokens",
      "qwenLsp.sampling.topP",
      "qwenLsp.serverArgs",
    ],
  );
  assert.match(problems.find((p) => p.key === "qwenLsp.sampling.topP")!.message, /outside \[0, 1\]/);
});

test("changing the model restarts the server; changing sampling only notifies it", () => {
  const base = from({ model: "a" }).settings;
  assert.equal(changeAction(base, from({ model: "b" }).settings), "restart");
  assert.equal(changeAction(base, from({ model: "a", device: "cpu" }).settings), "restart");
  assert.equal(changeAction(base, from({ model: "a", serverPath: "/opt/qwen-lsp" }).settings), "restart");
  assert.equal(changeAction(base, from({ model: "a", "sampling.temperature": 0.5 }).settings), "notify");
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
