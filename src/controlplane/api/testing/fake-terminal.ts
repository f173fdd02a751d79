import type { TerminalSession } from "../../sandboxes/types.js";
import type { MemoryHooks } from "./memory-sandboxes.js";
import { AsyncQueue } from "./queue.js";

/**
 * fakeTerminal is the double's PTY: it echoes input like a terminal in cooked mode, answers a line
 * `exit N` by ending with code N, and reports resizes as `[resized CxR]`.
 */
export function fakeTerminal(size: { cols: number; rows: number }, hooks: MemoryHooks): TerminalSession {
  const output = new AsyncQueue<Uint8Array>();
  let line = "";
  let settle: (code: number) => void = () => {};
  const exit = new Promise<number>((resolve) => {
    settle = resolve;
  });
  const finish = (code: number) => {
    output.end();
    settle(code);
  };
  hooks.lastResize = { ...size };
  return {
    output,
    exit,
    input(data) {
      output.push(data);
      line += Buffer.from(data).toString("utf8");
      const m = /(?:^|[\r\n])exit (\d+)[\r\n]/.exec(line);
      if (m) finish(Number(m[1]));
    },
    resize(cols, rows) {
      hooks.lastResize = { cols, rows };
      output.push(new TextEncoder().encode(`[resized ${cols}x${rows}]`));
    },
    close: () => finish(-1),
  };
}
