import { Readable } from "node:stream";
import { recordAudit, touchActivity } from "../../shared/models/index.js";
import { hostOf, loadRunning, type ServiceDeps } from "./deps.js";
import { toApiError } from "./errors.js";
import type { Caller, ExecEvent, ExecInput } from "./types.js";

/** touch records activity for the idle timeout without holding up the request. */
function touch(d: ServiceDeps, id: string): void {
  touchActivity(d.sql, id).catch((err: unknown) =>
    d.log?.warn("touch activity failed", { sandbox: id, error: String(err) }),
  );
}

/** audit records an action without failing the data path when the audit insert fails (it is logged). */
async function audit(
  d: ServiceDeps,
  caller: Caller,
  action: string,
  target: string,
  data: Record<string, unknown>,
) {
  await recordAudit(d.sql, { teamId: caller.teamId, actor: `key:${caller.keyId}`, action, target, data });
}

/**
 * execIn runs a command through the agent's Exec stream and re-emits its events. A shell command runs
 * as `/bin/bash -lc <cmd>`. Errors before the first event are thrown as ApiError from the iterator.
 */
export async function* execIn(
  d: ServiceDeps,
  caller: Caller,
  id: string,
  input: ExecInput,
  signal: AbortSignal,
): AsyncIterable<ExecEvent> {
  try {
    const sb = await loadRunning(d, caller, id);
    const host = await hostOf(d, sb);
    const [cmd, args] = input.shell ? ["/bin/bash", ["-lc", input.cmd]] : [input.cmd, input.args];
    await audit(d, caller, "sandbox.exec", id, {
      cmd: input.shell ? input.cmd : [input.cmd, ...input.args].join(" "),
    });
    touch(d, id);
    const stream = host.client.exec(
      {
        id,
        cmd,
        args,
        env: input.env,
        cwd: input.cwd ?? "",
        user: input.user ?? "",
        timeoutS: input.timeout_s,
        ...(input.stdin ? { stdin: input.stdin } : {}),
      },
      { signal },
    );
    for await (const r of stream) {
      const e = r.event;
      if (e.case === "pid") yield { type: "start", pid: e.value };
      else if (e.case === "stdout" || e.case === "stderr") yield { type: e.case, data: e.value };
      else if (e.case === "exit") {
        yield { type: "exit", exit_code: e.value.exitCode, status: e.value.status, error: e.value.error };
      }
    }
  } catch (err) {
    throw toApiError(err);
  }
}

/** writeFileTo streams `body` into the guest file through the agent's client-streaming WriteFile. */
export async function writeFileTo(
  d: ServiceDeps,
  caller: Caller,
  id: string,
  path: string,
  body: Readable,
  user?: string,
): Promise<{ bytes: number }> {
  try {
    const sb = await loadRunning(d, caller, id);
    const host = await hostOf(d, sb);
    touch(d, id);
    async function* requests() {
      yield { id, path, user: user ?? "", data: new Uint8Array(0) };
      for await (const chunk of body)
        yield { data: chunk instanceof Uint8Array ? chunk : Buffer.from(chunk) };
    }
    const r = await host.client.writeFile(requests());
    const bytes = Number(r.bytesWritten);
    await audit(d, caller, "sandbox.file_write", id, { path, bytes });
    return { bytes };
  } catch (err) {
    body.resume();
    throw toApiError(err);
  }
}

/**
 * readFileFrom opens the agent's ReadFile stream and waits for its first message, so a missing file
 * is a 404 before any header is sent; the rest streams as a Readable with backpressure.
 */
export async function readFileFrom(
  d: ServiceDeps,
  caller: Caller,
  id: string,
  path: string,
  user?: string,
): Promise<{ size?: number; body: Readable }> {
  try {
    const sb = await loadRunning(d, caller, id);
    const host = await hostOf(d, sb);
    touch(d, id);
    const ac = new AbortController();
    const it = host.client
      .readFile({ id, path, user: user ?? "" }, { signal: ac.signal })
      [Symbol.asyncIterator]();
    const first = await it.next();
    const size = first.done || first.value.size === undefined ? undefined : Number(first.value.size);
    async function* chunks() {
      try {
        if (!first.done && first.value.data.length) yield first.value.data;
        for (let r = await it.next(); !r.done; r = await it.next())
          if (r.value.data.length) yield r.value.data;
      } catch (err) {
        throw toApiError(err);
      }
    }
    const body = Readable.from(chunks(), { objectMode: false });
    body.once("close", () => ac.abort());
    return size === undefined ? { body } : { size, body };
  } catch (err) {
    throw toApiError(err);
  }
}
