// The status bar state machine, driven by the event sequences a real session produces.

import { test } from "node:test";
import * as assert from "node:assert/strict";
import { initialStatus, reduce, StatusEvent, StatusState, view } from "../src/status";

const run = (events: StatusEvent[], from: StatusState = initialStatus()) => events.reduce(reduce, from);

test("start, load the model with progress, become ready", () => {
  let s = run([{ kind: "starting" }]);
  assert.equal(s.phase, "starting");
  s = run([{ kind: "running" }, { kind: "progressBegin", token: "load", title: "Loading model", percentage: 0 }], s);
  assert.equal(s.phase, "loading");
  assert.equal(view(s).text, "$(sync~spin) Qwen 0%");
  s = reduce(s, { kind: "progressReport", token: "load", message: "weights", percentage: 42.4 });
  assert.equal(view(s).text, "$(sync~spin) Qwen 42%");
  assert.match(view(s).tooltip, /^Loading model: weights\./);
  s = reduce(s, { kind: "progressEnd", token: "load" });
  assert.equal(s.phase, "ready");
  assert.equal(view(s).text, "$(check) Qwen");
});

test("progress that begins before the handshake completes still shows loading", () => {
  const s = run([{ kind: "starting" }, { kind: "progressBegin", token: "t", title: "Downloading" }]);
  assert.equal(s.phase, "loading");
  assert.equal(run([{ kind: "progressEnd", token: "t" }], s).phase, "starting");
});

test("generating while any request is in flight", () => {
  let s = run([{ kind: "starting" }, { kind: "running" }, { kind: "requestStarted" }, { kind: "requestStarted" }]);
  assert.equal(s.phase, "generating");
  s = reduce(s, { kind: "requestFinished" });
  assert.equal(s.phase, "generating");
  s = reduce(s, { kind: "requestFinished" });
  assert.equal(s.phase, "ready");
  // A stray finish never drives the counter negative.
  s = reduce(s, { kind: "requestFinished" });
  assert.equal(s.inFlight, 0);
});

test("loading wins over generating", () => {
  const s = run([
    { kind: "starting" },
    { kind: "running" },
    { kind: "requestStarted" },
    { kind: "progressBegin", token: "reload", title: "Loading model" },
  ]);
  assert.equal(s.phase, "loading");
});

test("an error sticks until the next start, whatever arrives late", () => {
  let s = run([{ kind: "starting" }, { kind: "running" }, { kind: "failed", message: "the server stopped" }]);
  assert.equal(s.phase, "error");
  s = run([{ kind: "requestFinished" }, { kind: "progressBegin", token: "x", title: "late" }, { kind: "running" }], s);
  assert.equal(s.phase, "error");
  assert.equal(view(s).severity, "error");
  assert.match(view(s).tooltip, /the server stopped/);
  assert.equal(reduce(s, { kind: "starting" }).phase, "starting");
});

test("disabled shows off and offers to enable", () => {
  const s = run([{ kind: "starting" }, { kind: "running" }, { kind: "disabled" }]);
  assert.equal(s.phase, "off");
  assert.match(view(s).tooltip, /Click to enable/);
  assert.equal(run([{ kind: "running" }], s).phase, "off");
});

test("reduce does not mutate its input", () => {
  const s = run([{ kind: "starting" }, { kind: "running" }]);
  reduce(s, { kind: "progressBegin", token: "t", title: "x" });
  assert.equal(s.progress.size, 0);
  assert.equal(s.phase, "ready");
});
