import { EventEmitter } from "node:events";
import { createConnection, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

/** QmpEvent is an asynchronous QMP event (STOP, RESUME, SHUTDOWN, MIGRATION, ...). */
export interface QmpEvent {
  event: string;
  data?: Record<string, unknown>;
  timestamp?: { seconds: number; microseconds: number };
}

/** QmpError is a QMP-level failure: an error reply (`class`, `desc`) or a dead connection. */
export class QmpError extends Error {
  override readonly name = "QmpError";
  /** errorClass is QMP's error class ("GenericError", "CommandNotFound"...) or "Disconnected"/"Timeout". */
  readonly errorClass: string;
  constructor(errorClass: string, message: string) {
    super(message);
    this.errorClass = errorClass;
  }
}

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * QmpClient speaks QMP (JSON lines over a unix socket): greeting, qmp_capabilities, commands
 * matched to replies by `id`, events emitted as "event". One client per VM.
 */
export class QmpClient extends EventEmitter<{ event: [QmpEvent]; close: [] }> {
  readonly #sock: Socket;
  readonly #pending = new Map<string, Pending>();
  #nextId = 1;
  #buf = "";
  #closed = false;

  private constructor(sock: Socket) {
    super();
    this.#sock = sock;
    sock.setEncoding("utf8");
    sock.on("data", (chunk: string) => this.#onData(chunk));
    sock.on("error", () => {});
    sock.on("close", () => this.#onClose());
  }

  /**
   * connect opens the socket (retrying while QEMU creates it), reads the greeting and negotiates
   * capabilities. `alive` lets callers stop retrying when the VMM already exited.
   */
  static async connect(
    path: string,
    opts: { timeoutMs?: number; signal?: AbortSignal; alive?: () => Promise<boolean> } = {},
  ): Promise<QmpClient> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    let last: unknown;
    for (;;) {
      opts.signal?.throwIfAborted();
      try {
        const sock = await dial(path);
        const c = new QmpClient(sock);
        await c.#greeting(Math.max(1000, deadline - Date.now()));
        await c.execute("qmp_capabilities");
        return c;
      } catch (err) {
        last = err;
      }
      if (Date.now() >= deadline) break;
      if (opts.alive && !(await opts.alive()))
        throw new QmpError("Disconnected", `QEMU exited before QMP at ${path} answered`);
      await sleep(10);
    }
    throw new QmpError(
      "Timeout",
      `no QMP at ${path}: ${last instanceof Error ? last.message : String(last)}`,
    );
  }

  /** execute runs one command and resolves with its `return` value. */
  execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 30_000): Promise<T> {
    if (this.#closed) return Promise.reject(new QmpError("Disconnected", `QMP closed before ${command}`));
    const id = String(this.#nextId++);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new QmpError("Timeout", `QMP ${command}: no reply in ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.#sock.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id })}\n`);
    });
  }

  /** send writes a command without waiting (for `quit`, whose reply may never come). */
  send(command: string): void {
    if (!this.#closed) this.#sock.write(`${JSON.stringify({ execute: command })}\n`);
  }

  /** close drops the connection; pending commands fail with "Disconnected". */
  close(): void {
    this.#sock.destroy();
  }

  #greeting(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new QmpError("Timeout", "no QMP greeting")), timeoutMs);
      const fail = (e: Error) => {
        clearTimeout(timer);
        this.off("close", onClose);
        this.close();
        reject(e);
      };
      const onClose = () => fail(new QmpError("Disconnected", "QMP closed before the greeting"));
      this.once("close", onClose);
      this.#pending.set("greeting", {
        resolve: () => {
          clearTimeout(timer);
          this.off("close", onClose);
          resolve();
        },
        reject: fail,
        timer,
      });
    });
  }

  #onData(chunk: string): void {
    this.#buf += chunk;
    for (let nl = this.#buf.indexOf("\n"); nl >= 0; nl = this.#buf.indexOf("\n")) {
      const line = this.#buf.slice(0, nl).trim();
      this.#buf = this.#buf.slice(nl + 1);
      if (line) this.#onMessage(line);
    }
  }

  #onMessage(line: string): void {
    let msg: Record<string, unknown>;
    try {
      msg = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    if ("QMP" in msg) {
      this.#settle("greeting", null);
      return;
    }
    if (typeof msg.event === "string") {
      this.emit("event", msg as unknown as QmpEvent);
      return;
    }
    const id = typeof msg.id === "string" ? msg.id : undefined;
    if (id === undefined) return;
    if ("error" in msg) {
      const e = msg.error as { class?: string; desc?: string };
      this.#settle(id, undefined, new QmpError(e.class ?? "GenericError", e.desc ?? "QMP error"));
    } else this.#settle(id, msg.return);
  }

  #settle(id: string, value: unknown, err?: Error): void {
    const p = this.#pending.get(id);
    if (!p) return;
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve(value);
  }

  #onClose(): void {
    this.#closed = true;
    for (const [id, p] of this.#pending) {
      clearTimeout(p.timer);
      if (id !== "greeting") p.reject(new QmpError("Disconnected", "QMP connection closed"));
    }
    this.#pending.clear();
    this.emit("close");
  }
}

function dial(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection({ path });
    s.once("connect", () => {
      s.off("error", reject);
      resolve(s);
    });
    s.once("error", reject);
  });
}
