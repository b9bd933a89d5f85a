// Finds the qwen-lsp binary to run. Pure: the file system, environment and platform come in as arguments,
// so resolution order is unit-tested with Node alone.

import * as path from "path";

export interface BinaryEnv {
  /** `qwenLsp.serverPath`, possibly empty. */
  configured: string;
  /** Environment variables (only `QWEN_LSP_PATH` and `PATH` are read). */
  env: Record<string, string | undefined>;
  home: string;
  platform: NodeJS.Platform;
  /** The first workspace folder, for `${workspaceFolder}` in the setting. */
  workspaceFolder?: string;
  /** Whether `p` is an existing, executable file. */
  isExecutable: (p: string) => boolean;
}

export type Resolution =
  | { ok: true; path: string; source: "setting" | "QWEN_LSP_PATH" | "cargo" | "PATH" }
  | { ok: false; message: string };

/**
 * Resolution order: the `qwenLsp.serverPath` setting, `$QWEN_LSP_PATH`, `~/.cargo/bin/qwen-lsp` (where
 * `cargo install` puts it), then `qwen-lsp` on `PATH`. An explicit setting or variable that points at nothing
 * is an error rather than a silent fall-through, so a typo is reported instead of running another binary.
 */
export function resolveBinary(e: BinaryEnv): Resolution {
  const exe = e.platform === "win32" ? "qwen-lsp.exe" : "qwen-lsp";
  const p = e.platform === "win32" ? path.win32 : path.posix;
  const expand = (raw: string): string => {
    let s = raw.trim();
    if (s === "~" || s.startsWith("~/") || s.startsWith("~\\")) {
      s = e.home + s.slice(1);
    }
    if (s.includes("${workspaceFolder}")) {
      s = s.split("${workspaceFolder}").join(e.workspaceFolder ?? "");
    }
    return s;
  };

  if (e.configured.trim() !== "") {
    const candidate = expand(e.configured);
    if (e.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: "setting" };
    }
    return { ok: false, message: `qwenLsp.serverPath is "${e.configured}", but ${candidate} is not an executable file` };
  }
  const fromEnv = e.env.QWEN_LSP_PATH;
  if (fromEnv !== undefined && fromEnv.trim() !== "") {
    const candidate = expand(fromEnv);
    if (e.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: "QWEN_LSP_PATH" };
    }
    return { ok: false, message: `QWEN_LSP_PATH is "${fromEnv}", but ${candidate} is not an executable file` };
  }
  const cargo = p.join(e.home, ".cargo", "bin", exe);
  if (e.isExecutable(cargo)) {
    return { ok: true, path: cargo, source: "cargo" };
  }
  const sep = e.platform === "win32" ? ";" : ":";
  for (const dir of (e.env.PATH ?? e.env.Path ?? "").split(sep)) {
    if (dir === "") {
      continue;
    }
    const candidate = p.join(dir, exe);
    if (e.isExecutable(candidate)) {
      return { ok: true, path: candidate, source: "PATH" };
    }
  }
  return {
    ok: false,
    message:
      "qwen-lsp was not found: set qwenLsp.serverPath, or install it with " +
      "`cargo install --path server` (it goes to ~/.cargo/bin), or put it on PATH",
  };
}
