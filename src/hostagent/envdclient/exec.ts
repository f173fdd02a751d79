import { type Client, ConnectError } from "@connectrpc/connect";
import { type Process, Signal, type StartResponse } from "../../shared/gen/envd/process/process_pb.js";
import { EnvdError } from "./errors.js";

/** ExecOptions configures one process started through envd's Process.Start. */
export interface ExecOptions {
  args?: string[];
  envs?: Record<string, string>;
  cwd?: string;
  /** stdin keeps the process' stdin open for write()/closeStdin(). */
  stdin?: boolean;
  tag?: string;
  user?: string;
  signal?: AbortSignal;
}

/** ExecEvent is one item of a process' output stream, in order. */
export type ExecEvent =
  | { type: "start"; pid: number }
  | { type: "stdout"; data: Uint8Array }
  | { type: "stderr"; data: Uint8Array }
  | { type: "exit"; exitCode: number; exited: boolean; status: string; error?: string };

/** ExecHandle streams a running process' events and sends it input and signals. */
export interface ExecHandle extends AsyncIterable<ExecEvent> {
  /** pid resolves once envd reports the process started. */
  readonly pid: Promise<number>;
  write(data: Uint8Array | string): Promise<void>;
  closeStdin(): Promise<void>;
  kill(): Promise<void>;
}

/** ExecResult is what run() collects. */
export interface ExecResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
  status: string;
}

/** HeaderFn adds per-call headers (user selection) to an RPC. */
type HeaderFn = (user?: string) => Record<string, string>;

/**
 * startExec starts `cmd` and returns a handle whose iterator yields start, output and exit events.
 * The stream is single-use: iterate it once. Keepalive pings keep idle streams open through proxies.
 */
export function startExec(
  client: Client<typeof Process>,
  headers: HeaderFn,
  cmd: string,
  opts: ExecOptions = {},
) {
  const stream = client.start(
    {
      process: { cmd, args: opts.args ?? [], envs: opts.envs ?? {}, cwd: opts.cwd },
      stdin: opts.stdin,
      tag: opts.tag,
    },
    { signal: opts.signal, headers: { ...headers(opts.user), "keepalive-ping-interval": "50" } },
  );
  let setPid: (pid: number) => void = () => {};
  let failPid: (err: unknown) => void = () => {};
  const pid = new Promise<number>((res, rej) => {
    setPid = res;
    failPid = rej;
  });
  pid.catch(() => {});
  const selector = async () => ({ selector: { case: "pid" as const, value: await pid } });
  const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw rpcError(err, what);
    }
  };

  async function* events(): AsyncGenerator<ExecEvent> {
    try {
      for await (const res of stream) {
        const ev = toEvent(res);
        if (ev?.type === "start") setPid(ev.pid);
        if (ev) yield ev;
      }
    } catch (err) {
      const e = rpcError(err, `exec ${cmd}`);
      failPid(e);
      throw e;
    }
    failPid(new EnvdError("protocol_error", `exec ${cmd}: stream ended before the process started`));
  }

  const handle: ExecHandle = {
    pid,
    [Symbol.asyncIterator]: () => events(),
    write: (data) =>
      call("send stdin", async () => {
        const bytes = typeof data === "string" ? Buffer.from(data) : data;
        await client.sendInput(
          { process: await selector(), input: { input: { case: "stdin", value: bytes } } },
          { headers: headers(opts.user) },
        );
      }),
    closeStdin: () =>
      call("close stdin", async () => {
        await client.closeStdin({ process: await selector() }, { headers: headers(opts.user) });
      }),
    kill: () =>
      call("kill", async () => {
        await client.sendSignal(
          { process: await selector(), signal: Signal.SIGKILL },
          { headers: headers(opts.user) },
        );
      }),
  };
  return handle;
}

/** collect drains a handle into buffers and the exit status. */
export async function collect(handle: ExecHandle): Promise<ExecResult> {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  for await (const ev of handle) {
    if (ev.type === "stdout") out.push(ev.data);
    else if (ev.type === "stderr") err.push(ev.data);
    else if (ev.type === "exit") {
      return {
        stdout: Buffer.concat(out),
        stderr: Buffer.concat(err),
        exitCode: ev.exitCode,
        status: ev.status,
      };
    }
  }
  throw new EnvdError("protocol_error", "process stream ended without an exit event");
}

function toEvent(res: StartResponse): ExecEvent | undefined {
  const ev = res.event?.event;
  switch (ev?.case) {
    case "start":
      return { type: "start", pid: ev.value.pid };
    case "data": {
      const o = ev.value.output;
      if (o.case === "stdout") return { type: "stdout", data: o.value };
      if (o.case === "stderr" || o.case === "pty")
        return { type: o.case === "pty" ? "stdout" : "stderr", data: o.value };
      return undefined;
    }
    case "end":
      return {
        type: "exit",
        exitCode: ev.value.exitCode,
        exited: ev.value.exited,
        status: ev.value.status,
        ...(ev.value.error !== undefined ? { error: ev.value.error } : {}),
      };
    default:
      return undefined; // keepalive
  }
}

function rpcError(err: unknown, what: string): EnvdError {
  if (err instanceof EnvdError) return err;
  const ce = ConnectError.from(err);
  return new EnvdError("rpc_error", `${what}: ${ce.message}`, { cause: ce });
}
