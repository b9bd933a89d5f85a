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
  // The end of the progress says nothing of how the load went: only the server's status does.
  assert.equal(s.phase, "starting");
  s = reduce(s, { kind: "modelReady" });
  assert.equal(s.phase, "ready");
  assert.equal(view(s).text, "$(check) Qwen");
});

test("a failed load is not shown as ready, and the next load clears it (finding 2)", () => {
  let s = run([
    { kind: "starting" },
    { kind: "running" },
    { kind: "progressBegin", token: "l1", title: "Loading model", load: true },
    { kind: "progressEnd", token: "l1" },
    { kind: "modelFailed", message: "cannot load model /nope: no such file" },
  ]);
  assert.equal(s.phase, "noModel");
  assert.equal(view(s).text, "$(error) Qwen");
  assert.equal(view(s).severity, "error");
  assert.match(view(s).tooltip, /no model: cannot load model \/nope/);
  // Requests in flight do not hide it.
  assert.equal(reduce(s, { kind: "requestStarted" }).phase, "noModel");
  // A progress that is not a load (a code action resolving) does not clear it either.
  s = reduce(s, { kind: "progressBegin", token: "r1", title: "Fix this" });
  s = reduce(s, { kind: "progressEnd", token: "r1" });
  assert.equal(s.phase, "noModel");
  s = reduce(s, { kind: "progressBegin", token: "l2", title: "Loading model", load: true });
  assert.equal(s.phase, "loading");
  s = run([{ kind: "progressEnd", token: "l2" }, { kind: "modelReady" }], s);
  assert.equal(s.phase, "ready");
  assert.equal(s.modelError, undefined);
});

test("a dropped suggestion leaves a hint until the next request (finding 3)", () => {
  let s = run([{ kind: "starting" }, { kind: "running" }, { kind: "modelReady" }, { kind: "requestStarted" }]);
  s = run([{ kind: "dropped", message: "it adds syntax errors" }, { kind: "requestFinished" }], s);
  assert.equal(s.phase, "ready");
  assert.equal(view(s).text, "$(check) Qwen $(eye-closed)");
  assert.match(view(s).tooltip, /not shown: it adds syntax errors/);
  s = reduce(s, { kind: "requestStarted" });
  assert.equal(s.hint, undefined);
  assert.equal(view(reduce(s, { kind: "requestFinished" })).text, "$(check) Qwen");
});

test("progress that begins before the handshake completes still shows loading", () => {
  const s = run([{ kind: "starting" }, { kind: "progressBegin", token: "t", title: "Downloading" }]);
  assert.equal(s.phase, "loading");
  assert.equal(run([{ kind: "progressEnd", token: "t" }], s).phase, "starting");
});

test("generating while any request is in flight", () => {
  let s = run([{ kind: "starting" }, { kind: "running" }, { kind: "modelReady" }, { kind: "requestStarted" }, { kind: "requestStarted" }]);
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
  const s = run([{ kind: "starting" }, { kind: "running" }, { kind: "modelReady" }]);
  reduce(s, { kind: "progressBegin", token: "t", title: "x" });
  assert.equal(s.progress.size, 0);
  assert.equal(s.phase, "ready");
});
