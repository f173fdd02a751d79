import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { TerminalRequest } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { toConnectError } from "./errors.js";

const basic = (user: string) => ({ authorization: `Basic ${Buffer.from(`${user}:`).toString("base64")}` });

/**
 * terminal bridges a bidirectional stream to a PTY process in the guest: the first request starts it
 * (default: an interactive login bash), later ones carry keystrokes and resizes. When the caller goes
 * away the shell is killed, so no orphaned terminals pile up in the guest.
 */
export async function* terminal(
  m: SandboxManager,
  reqs: AsyncIterable<TerminalRequest>,
  ctx: HandlerContext,
) {
  const it = reqs[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done || first.value.event.case !== "start") {
    throw new ConnectError("the first Terminal message must be start", Code.InvalidArgument);
  }
  const start = first.value.event.value;
  const ac = new AbortController();
  ctx.signal.addEventListener("abort", () => ac.abort(), { once: true });
  let pid = 0;
  try {
    const client = m.envd(start.id);
    const headers = start.user ? basic(start.user) : {};
    const stream = client.process.start(
      {
        process: {
          cmd: start.cmd || "/bin/bash",
          args: start.cmd ? [] : ["-i", "-l"],
          envs: { TERM: "xterm-256color", LANG: "C.UTF-8", LC_ALL: "C.UTF-8", ...start.env },
        },
        pty: { size: { cols: start.size?.cols || 80, rows: start.size?.rows || 24 } },
      },
      { signal: ac.signal, headers: { ...headers, "keepalive-ping-interval": "30" } },
    );
    const selector = () => ({ selector: { case: "pid" as const, value: pid } });
    const pumpInput = async () => {
      for (let r = await it.next(); !r.done; r = await it.next()) {
        const ev = r.value.event;
        if (ev.case === "input") {
          await client.process.sendInput(
            { process: selector(), input: { input: { case: "pty", value: ev.value } } },
            { headers },
          );
        } else if (ev.case === "resize") {
          await client.process.update(
            { process: selector(), pty: { size: { cols: ev.value.cols, rows: ev.value.rows } } },
            { headers },
          );
        }
      }
    };
    for await (const res of stream) {
      const ev = res.event?.event;
      if (ev?.case === "start") {
        pid = ev.value.pid;
        yield { event: { case: "pid" as const, value: pid } };
        pumpInput().catch(() => ac.abort());
      } else if (ev?.case === "data" && ev.value.output.case === "pty") {
        yield { event: { case: "output" as const, value: ev.value.output.value } };
      } else if (ev?.case === "end") {
        pid = 0;
        yield { event: { case: "exitCode" as const, value: ev.value.exitCode } };
        return;
      }
    }
  } catch (err) {
    if (ctx.signal.aborted) return;
    throw toConnectError(err);
  } finally {
    if (pid) {
      try {
        await m
          .envd(start.id)
          .process.sendSignal({ process: { selector: { case: "pid", value: pid } }, signal: 9 });
      } catch {
        // the sandbox or the process is already gone
      }
    }
  }
}
