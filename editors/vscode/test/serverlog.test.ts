// Server stderr lines routed by their level (finding 4), failures worded for the user (finding 7), and
// the debouncer behind settings changes (finding 2).

import { test } from "node:test";
import * as assert from "node:assert/strict";
import { describeFailure, parseLogLine } from "../src/serverlog";
import { Debouncer, Timers } from "../src/debounce";

test("tracing lines keep their level; other stderr stays an error", () => {
  assert.deepEqual(parseLogLine("2026-12-07T03:55:11.336123Z  INFO qwen_lsp::loader: loaded /m in 1.0 s"), {
    level: "info",
    text: "qwen_lsp::loader: loaded /m in 1.0 s",
  });
  assert.deepEqual(parseLogLine("2026-12-07T03:55:11.336123Z  WARN qwen_lsp: x"), { level: "warn", text: "qwen_lsp: x" });
  assert.deepEqual(parseLogLine("2026-12-07T03:55:11Z DEBUG engine::complete: y"), { level: "debug", text: "engine::complete: y" });
  assert.deepEqual(parseLogLine("2026-12-07T03:55:11Z ERROR qwen_lsp: z"), { level: "error", text: "qwen_lsp: z" });
  assert.deepEqual(parseLogLine("TRACE a: b"), { level: "trace", text: "a: b" });
  // A panic message, or text that merely contains a level word, is not reclassified.
  assert.equal(parseLogLine("thread 'main' panicked at server/src/x.rs:1:1:").level, "error");
  assert.equal(parseLogLine("note: INFO is not a level here").level, "error");
  assert.equal(parseLogLine("").level, "error");
});

test("a failed resolve is the server's sentence; cancellations say nothing", () => {
  assert.equal(
    describeFailure({ code: -32803, message: "Fix this: none of the model's 2 candidates passed the checks" }),
    "qwen-lsp: Fix this: none of the model's 2 candidates passed the checks",
  );
  assert.equal(describeFailure({ code: -32800, message: "cancelled" }), undefined);
  assert.equal(describeFailure({ code: -32801, message: "content modified" }), undefined);
  assert.equal(describeFailure({ name: "Canceled", message: "Canceled" }), undefined);
  assert.equal(describeFailure(new Error("")), "qwen-lsp: Error");
  assert.equal(describeFailure("boom"), "qwen-lsp: boom");
});

test("the debouncer runs only the last of a burst", () => {
  let now = 0;
  const queue: { at: number; fn: () => void; id: number }[] = [];
  let nextId = 0;
  const timers: Timers = {
    set: (fn, ms) => {
      const id = nextId++;
      queue.push({ at: now + ms, fn, id });
      return id;
    },
    clear: (handle) => {
      const i = queue.findIndex((t) => t.id === handle);
      if (i >= 0) {queue.splice(i, 1);}
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of queue.filter((t) => t.at <= now)) {
      queue.splice(queue.indexOf(t), 1);
      t.fn();
    }
  };
  const d = new Debouncer(500, timers);
  const seen: string[] = [];
  for (const partial of ["/m", "/mo", "/mod", "/mode", "/model"]) {
    d.call(() => seen.push(partial));
    advance(100);
  }
  assert.deepEqual([...seen], []);
  assert.equal(d.isPending, true);
  advance(400);
  assert.deepEqual([...seen], ["/model"]);
  assert.equal(d.isPending, false);
  d.call(() => seen.push("x"));
  d.cancel();
  advance(1000);
  assert.deepEqual([...seen], ["/model"]);
});
