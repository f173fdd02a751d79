// FAKE Firecracker API server: a stand-in recorded from Firecracker's *published* API facts
// (swagger firecracker.yaml v1.16, docs/api_requests, docs/snapshotting, docs/vsock.md). It is not
// Firecracker and runs no VM. It checks methods, paths, request bodies (required fields, types,
// enums, unknown fields) and call order, and answers like Firecracker: 204 with no body on success,
// 400 {"fault_message": "..."} otherwise; GET / describes the instance.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import {
  createServer as createHttpServer,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from "node:http";
import { createServer as createNetServer, type Server as NetServer, type Socket } from "node:net";

type FieldType = "string" | "int" | "bool" | "object" | "array";
interface Field {
  type: FieldType;
  required?: boolean;
  enum?: readonly string[];
  min?: number;
}
type Schema = Record<string, Field>;

const S = (type: FieldType, more: Omit<Field, "type"> = {}): Field => ({ type, ...more });
const R = (type: FieldType, more: Omit<Field, "type"> = {}): Field => ({ type, required: true, ...more });

/** SCHEMAS lists the request bodies of the endpoints Wrenn uses, as published by Firecracker. */
export const SCHEMAS: Record<string, Schema> = {
  "PUT /machine-config": {
    vcpu_count: R("int", { min: 1 }),
    mem_size_mib: R("int", { min: 1 }),
    smt: S("bool"),
    track_dirty_pages: S("bool"),
    huge_pages: S("string", { enum: ["None", "2M"] }),
    cpu_template: S("string"),
  },
  "PUT /boot-source": { kernel_image_path: R("string"), boot_args: S("string"), initrd_path: S("string") },
  "PUT /drives/{id}": {
    drive_id: R("string"),
    path_on_host: R("string"),
    is_root_device: R("bool"),
    is_read_only: S("bool"),
    cache_type: S("string", { enum: ["Unsafe", "Writeback"] }),
    io_engine: S("string", { enum: ["Sync", "Async"] }),
    rate_limiter: S("object"),
    partuuid: S("string"),
  },
  "PUT /network-interfaces/{id}": {
    iface_id: R("string"),
    host_dev_name: R("string"),
    guest_mac: S("string"),
    rx_rate_limiter: S("object"),
    tx_rate_limiter: S("object"),
  },
  "PUT /vsock": { guest_cid: R("int", { min: 3 }), uds_path: R("string"), vsock_id: S("string") },
  "PUT /logger": {
    log_path: S("string"),
    level: S("string", { enum: ["Error", "Warning", "Info", "Debug", "Trace", "Off"] }),
    show_level: S("bool"),
    show_log_origin: S("bool"),
    module: S("string"),
  },
  "PUT /metrics": { metrics_path: R("string") },
  "PUT /actions": { action_type: R("string", { enum: ["InstanceStart", "SendCtrlAltDel", "FlushMetrics"] }) },
  "PATCH /vm": { state: R("string", { enum: ["Paused", "Resumed"] }) },
  "PUT /snapshot/create": {
    snapshot_type: S("string", { enum: ["Full", "Diff"] }),
    snapshot_path: R("string"),
    mem_file_path: R("string"),
  },
  "PUT /snapshot/load": {
    snapshot_path: R("string"),
    mem_backend: S("object"),
    mem_file_path: S("string"),
    track_dirty_pages: S("bool"),
    resume_vm: S("bool"),
    network_overrides: S("array"),
    vsock_override: S("object"),
    clock_realtime: S("bool"),
  },
};

/** FAKE_VERSION is what GET / reports as vmm_version. */
export const FAKE_VERSION = "1.16.1";
const SNAPSHOT_MAGIC = "FAKE-FC-VMSTATE\n";

class Fault extends Error {}

/** RecordedCall is one request the fake accepted or refused. */
export interface RecordedCall {
  method: string;
  path: string;
  body: unknown;
  status: number;
}

/** FakeFirecracker serves the fake API on `socketPath`; `calls` records every request. */
export class FakeFirecracker {
  readonly calls: RecordedCall[] = [];
  state: "Not started" | "Running" | "Paused" = "Not started";
  readonly #config = new Map<string, unknown>();
  #vsock: NetServer | undefined;
  readonly #http: Server;

  constructor(
    readonly socketPath: string,
    readonly opts: { id?: string; callLog?: string; onCtrlAltDel?: () => void; chroot?: string } = {},
  ) {
    this.#http = createHttpServer((req, res) => this.#handle(req, res));
  }

  /** #host maps a path Firecracker was given to the host (under the jailer, paths are chroot-relative). */
  #host(p: string): string {
    return this.opts.chroot ? `${this.opts.chroot}${p}` : p;
  }

  listen(): Promise<void> {
    return new Promise((r) => this.#http.listen(this.socketPath, r));
  }

  async close(): Promise<void> {
    this.#vsock?.close();
    await new Promise((r) => this.#http.close(r));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      const method = req.method ?? "";
      const path = req.url ?? "";
      let body: unknown;
      let status = 204;
      let reply = "";
      try {
        if (text && req.headers["content-type"] !== "application/json")
          throw new Fault("expected application/json");
        body = text ? JSON.parse(text) : undefined;
        reply = this.#route(method, path, body);
        if (reply) status = 200;
      } catch (err) {
        status = 400;
        reply = JSON.stringify({ fault_message: err instanceof Error ? err.message : String(err) });
      }
      const call = { method, path, body, status };
      this.calls.push(call);
      if (this.opts.callLog) appendFileSync(this.opts.callLog, `${JSON.stringify(call)}\n`);
      res.writeHead(status, reply ? { "content-type": "application/json" } : {});
      res.end(reply);
      if (method === "PUT" && path === "/actions" && status === 204) {
        if ((body as { action_type: string }).action_type === "SendCtrlAltDel")
          setImmediate(() => this.opts.onCtrlAltDel?.());
      }
    });
  }

  #route(method: string, path: string, body: unknown): string {
    if (method === "GET" && path === "/") {
      return JSON.stringify({
        id: this.opts.id ?? "anonymous-instance",
        state: this.state,
        vmm_version: FAKE_VERSION,
        app_name: "Firecracker",
      });
    }
    const m = /^\/(drives|network-interfaces)\/([^/]+)$/.exec(path);
    const key = m ? `${method} /${m[1]}/{id}` : `${method} ${path}`;
    const schema = SCHEMAS[key];
    if (!schema) throw new Fault(`Invalid request method and/or path: ${method} ${path}.`);
    const b = validate(schema, body);
    if (m) {
      const idField = m[1] === "drives" ? "drive_id" : "iface_id";
      if (b[idField] !== decodeURIComponent(m[2] as string))
        throw new Fault(`The id from the path [${m[2]}] does not match the id from the body!`);
    }
    const preBoot = [
      "PUT /machine-config",
      "PUT /boot-source",
      "PUT /drives/{id}",
      "PUT /network-interfaces/{id}",
      "PUT /vsock",
      "PUT /logger",
      "PUT /metrics",
    ];
    if (preBoot.includes(key)) {
      if (this.state !== "Not started")
        throw new Fault(`The requested operation is not supported after starting the microVM.`);
      for (const f of ["kernel_image_path", "initrd_path", "path_on_host", "log_path", "metrics_path"]) {
        const v = b[f];
        if (typeof v === "string" && !existsSync(this.#host(v))) {
          throw new Fault(`Cannot open ${f} ${v}: No such file or directory (os error 2)`);
        }
      }
      this.#config.set(m ? `${key}:${m[2]}` : key, b);
      if (key === "PUT /vsock") this.#listenVsock(this.#host(b.uds_path as string));
      return "";
    }
    switch (key) {
      case "PUT /actions":
        return this.#action(b.action_type as string);
      case "PATCH /vm":
        if (this.state === "Not started")
          throw new Fault("The requested operation is not supported before starting the microVM.");
        this.state = b.state === "Paused" ? "Paused" : "Running";
        return "";
      case "PUT /snapshot/create":
        if (this.state !== "Paused")
          throw new Fault("Cannot save the microVM state: the microVM is not paused.");
        writeFileSync(
          this.#host(b.snapshot_path as string),
          `${SNAPSHOT_MAGIC}${JSON.stringify([...this.#config])}`,
        );
        writeFileSync(this.#host(b.mem_file_path as string), Buffer.alloc(4096, 7));
        return "";
      case "PUT /snapshot/load":
        return this.#load(b);
    }
    throw new Fault(`unhandled ${key}`);
  }

  #action(type: string): string {
    if (type === "InstanceStart") {
      if (this.state !== "Not started") throw new Fault("The microVM is already running.");
      if (!this.#config.has("PUT /boot-source"))
        throw new Fault("Cannot start microvm without kernel configuration.");
      this.state = "Running";
    } else if (this.state === "Not started") {
      throw new Fault(`${type} is not supported before starting the microVM.`);
    }
    return "";
  }

  #load(b: Record<string, unknown>): string {
    const configured = [...this.#config.keys()].filter((k) => k !== "PUT /logger" && k !== "PUT /metrics");
    if (this.state !== "Not started" || configured.length > 0) {
      throw new Fault("Loading a microVM snapshot not allowed after configuring boot-specific resources.");
    }
    const backend = b.mem_backend as { backend_type?: unknown; backend_path?: unknown } | undefined;
    if (backend !== undefined) {
      validate({ backend_type: R("string", { enum: ["File", "Uffd"] }), backend_path: R("string") }, backend);
    } else if (b.mem_file_path === undefined) throw new Fault("missing field `mem_backend`");
    for (const o of (b.network_overrides as unknown[] | undefined) ?? []) {
      validate({ iface_id: R("string"), host_dev_name: R("string") }, o);
    }
    if (b.vsock_override !== undefined) validate({ uds_path: R("string") }, b.vsock_override);
    const snap = this.#host(b.snapshot_path as string);
    if (!existsSync(snap) || !readFileSync(snap, "utf8").startsWith(SNAPSHOT_MAGIC)) {
      throw new Fault(
        `Load snapshot error: Failed to restore from snapshot: Cannot deserialize the microVM state`,
      );
    }
    const memPath = this.#host((backend?.backend_path ?? b.mem_file_path) as string);
    if (!existsSync(memPath))
      throw new Fault(`Load snapshot error: Cannot open the memory file: No such file or directory`);
    const saved = new Map(
      JSON.parse(readFileSync(snap, "utf8").slice(SNAPSHOT_MAGIC.length)) as Array<[string, unknown]>,
    );
    const vs = saved.get("PUT /vsock") as { uds_path: string } | undefined;
    if (vs)
      this.#listenVsock(
        this.#host((b.vsock_override as { uds_path: string } | undefined)?.uds_path ?? vs.uds_path),
      );
    this.state = b.resume_vm ? "Running" : "Paused";
    return "";
  }

  /** #listenVsock fakes the hybrid vsock: "CONNECT <port>\n" → "OK <n>\n", then a tiny envd /health. */
  #listenVsock(path: string): void {
    const envd = createHttpServer((_req, res) => {
      res.writeHead(204, { "x-envd-version": "fake" });
      res.end();
    });
    this.#vsock = createNetServer((s: Socket) => {
      s.once("data", (line: Buffer) => {
        if (!/^CONNECT 49983\n$/.test(line.toString()) || this.state !== "Running") return s.destroy();
        s.write("OK 1073741824\n");
        envd.emit("connection", s);
      });
    });
    this.#vsock.listen(path);
  }
}

/** validate checks a body against a schema the way serde(deny_unknown_fields) does in Firecracker. */
function validate(schema: Schema, body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    throw new Fault("expected a JSON object body");
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) {
    if (!(k in schema))
      throw new Fault(
        `unknown field \`${k}\`, expected one of ${Object.keys(schema)
          .map((s) => `\`${s}\``)
          .join(", ")}`,
      );
  }
  for (const [k, f] of Object.entries(schema)) {
    const v = b[k];
    if (v === undefined) {
      if (f.required) throw new Fault(`missing field \`${k}\``);
      continue;
    }
    const ok =
      (f.type === "string" && typeof v === "string") ||
      (f.type === "int" && Number.isInteger(v)) ||
      (f.type === "bool" && typeof v === "boolean") ||
      (f.type === "object" && typeof v === "object" && v !== null && !Array.isArray(v)) ||
      (f.type === "array" && Array.isArray(v));
    if (!ok) throw new Fault(`invalid type for \`${k}\`: expected ${f.type}`);
    if (f.enum && !f.enum.includes(v as string))
      throw new Fault(`unknown variant \`${String(v)}\` for \`${k}\``);
    if (f.min !== undefined && (v as number) < f.min) throw new Fault(`\`${k}\` must be ≥ ${f.min}`);
  }
  return b;
}
