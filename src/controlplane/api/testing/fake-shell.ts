import type { ExecEvent, ExecInput } from "../../sandboxes/types.js";

/**
 * runFakeShell is the TEST DOUBLE's command interpreter (no real process runs). A command line is
 * `;`-separated statements: `echo <text>` (stdout), `err <text>` (stderr), `hex <hex>` (raw stdout bytes),
 * `cat` (stdin to stdout), `exit <n>`, `big <n>` (n bytes of 'x' in 64 KiB chunks).
 */
export function* runFakeShell(input: ExecInput, pid: number): Generator<ExecEvent> {
  yield { type: "start", pid };
  const line = input.shell ? input.cmd : [input.cmd, ...input.args].join(" ");
  const enc = new TextEncoder();
  let code = 0;
  for (const stmt of line.split(";").map((s) => s.trim())) {
    const [word = "", ...rest] = stmt.split(" ");
    const arg = rest.join(" ");
    if (word === "echo") yield { type: "stdout", data: enc.encode(`${arg}\n`) };
    else if (word === "err") yield { type: "stderr", data: enc.encode(`${arg}\n`) };
    else if (word === "hex") yield { type: "stdout", data: new Uint8Array(Buffer.from(arg, "hex")) };
    else if (word === "cat" && input.stdin) yield { type: "stdout", data: input.stdin };
    else if (word === "env") yield { type: "stdout", data: enc.encode(`${input.env[arg] ?? ""}\n`) };
    else if (word === "big") {
      for (let left = Number(arg); left > 0; left -= 65_536) {
        yield { type: "stdout", data: new Uint8Array(Math.min(left, 65_536)).fill(120) };
      }
    } else if (word === "exit") {
      code = Number(arg);
      break;
    } else if (word !== "" && word !== "cat") {
      yield { type: "stderr", data: enc.encode(`${word}: command not found\n`) };
      code = 127;
      break;
    }
  }
  yield { type: "exit", exit_code: code, status: `exit status ${code}`, error: "" };
}
