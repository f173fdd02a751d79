import type { HandlerContext } from "@connectrpc/connect";
import type { ExecRequest, ExecResponse } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { toConnectError } from "./errors.js";

type ExecEventInit = Pick<ExecResponse, "event">;

/**
 * exec runs one command to completion and streams pid, output and exit. Unlike envd's background
 * processes, an Exec is tied to its caller: a disconnect or the timeout kills it.
 */
export async function* exec(
  m: SandboxManager,
  req: ExecRequest,
  ctx: HandlerContext,
): AsyncGenerator<ExecEventInit> {
  let timedOut = false;
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  ctx.signal.addEventListener("abort", onAbort, { once: true });
  try {
    const client = m.envd(req.id);
    const h = client.exec(req.cmd, {
      args: req.args,
      envs: req.env,
      cwd: req.cwd || undefined,
      user: req.user || undefined,
      stdin: req.stdin.length > 0,
      signal: ac.signal,
    });
    const timer =
      req.timeoutS > 0
        ? setTimeout(() => {
            timedOut = true;
            h.kill().catch(() => {});
          }, req.timeoutS * 1000)
        : undefined;
    ctx.signal.addEventListener("abort", () => h.kill().catch(() => {}), { once: true });
    if (req.stdin.length > 0) {
      h.pid
        .then(async () => {
          await h.write(req.stdin);
          await h.closeStdin();
        })
        .catch(() => {});
    }
    try {
      for await (const ev of h) {
        switch (ev.type) {
          case "start":
            yield { event: { case: "pid", value: ev.pid } };
            break;
          case "stdout":
          case "stderr":
            yield { event: { case: ev.type, value: ev.data } };
            break;
          case "exit": {
            const error = timedOut ? `timed out after ${req.timeoutS} s` : (ev.error ?? "");
            yield {
              event: { case: "exit", value: { exitCode: ev.exitCode, status: ev.status, error } },
            } as ExecEventInit;
          }
        }
      }
    } finally {
      clearTimeout(timer);
    }
  } catch (err) {
    throw toConnectError(err);
  } finally {
    ctx.signal.removeEventListener("abort", onAbort);
  }
}
