import type { MessageInitShape } from "@bufbuild/protobuf";
import type { TerminalRequestSchema } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import { recordAudit } from "../../shared/models/index.js";
import { hostOf, loadRunning, type ServiceDeps } from "./deps.js";
import { guardApi, toApiError } from "./errors.js";
import type { Caller, TerminalSession } from "./types.js";

type Req = MessageInitShape<typeof TerminalRequestSchema>;

/** inputQueue is an async iterable the caller pushes into: the request side of the bidi stream. */
function inputQueue() {
  const items: Req[] = [];
  let wake: (() => void) | undefined;
  let closed = false;
  const iterable: AsyncIterable<Req> = {
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = items.shift();
        if (next) yield next;
        else if (closed) return;
        else await new Promise<void>((r) => (wake = r));
      }
    },
  };
  const poke = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  return {
    iterable,
    push(r: Req) {
      if (closed) return;
      items.push(r);
      poke();
    },
    end() {
      closed = true;
      poke();
    },
  };
}

/**
 * openTerminal starts a PTY shell through the agent's bidi Terminal stream. `output` yields the PTY's
 * bytes and ends when the shell exits (then `exit` resolves with its code) or close() is called.
 */
export function openTerminal(
  d: ServiceDeps,
  caller: Caller,
  id: string,
  opts: { cols: number; rows: number; user?: string },
): Promise<TerminalSession> {
  return guardApi(async () => {
    const sb = await loadRunning(d, caller, id);
    const host = await hostOf(d, sb);
    await recordAudit(d.sql, {
      teamId: caller.teamId,
      actor: `key:${caller.keyId}`,
      action: "sandbox.terminal",
      target: id,
      data: { user: opts.user ?? null },
    });
    const q = inputQueue();
    const ac = new AbortController();
    q.push({
      event: {
        case: "start",
        value: { id, size: { cols: opts.cols, rows: opts.rows }, user: opts.user ?? "" },
      },
    });
    const it = host.client.terminal(q.iterable, { signal: ac.signal })[Symbol.asyncIterator]();
    // the agent answers `pid` once the PTY runs: waiting for it turns start failures into errors here
    const first = await it.next();
    if (first.done) throw new Error("terminal stream ended before the shell started");
    let settle: (code: number) => void = () => {};
    const exit = new Promise<number>((r) => (settle = r));
    async function* output(): AsyncGenerator<Uint8Array> {
      try {
        for (let r = await it.next(); !r.done; r = await it.next()) {
          const e = r.value.event;
          if (e.case === "output") yield e.value;
          else if (e.case === "exitCode") {
            settle(e.value);
            return;
          }
        }
        settle(-1);
      } catch (err) {
        settle(-1);
        if (!ac.signal.aborted) throw toApiError(err);
      } finally {
        q.end();
      }
    }
    return {
      output: output(),
      exit,
      input: (data) => q.push({ event: { case: "input", value: data } }),
      resize: (cols, rows) => q.push({ event: { case: "resize", value: { cols, rows } } }),
      close: () => {
        q.end();
        ac.abort();
        settle(-1);
      },
    };
  });
}
