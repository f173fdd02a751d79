import {
  type Agent,
  request as httpRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { EnvdError, toEnvdError } from "./errors.js";

/** RestContext is what REST helpers need: the dialer-backed agent and the auth headers of the moment. */
export interface RestContext {
  agent: Agent;
  headers(): Record<string, string>;
}

/** RestRequest describes one plain-HTTP call to envd (/health, /init, /files). */
export interface RestRequest {
  method: "GET" | "POST";
  path: string;
  query?: Record<string, string | undefined>;
  headers?: OutgoingHttpHeaders;
  body?: Readable | Uint8Array | string;
  signal?: AbortSignal;
}

/**
 * restRequest sends one request over the agent and resolves with the response once its headers
 * arrive; the body is left unread so large downloads stream. Request bodies are piped, not buffered.
 */
export function restRequest(ctx: RestContext, req: RestRequest): Promise<IncomingMessage> {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) qs.set(k, v);
  const search = qs.toString();
  const path = search ? `${req.path}?${search}` : req.path;
  const what = `${req.method} ${req.path}`;
  return new Promise((resolve, reject) => {
    const r = httpRequest({
      agent: ctx.agent,
      host: "envd",
      method: req.method,
      path,
      headers: { ...ctx.headers(), ...req.headers },
      signal: req.signal,
    });
    r.once("response", resolve);
    r.once("error", (err) => reject(toEnvdError(err, "dial_failed", what)));
    const body = req.body;
    if (body === undefined) r.end();
    else if (typeof body === "string" || body instanceof Uint8Array) r.end(body);
    else pipeline(body, r).catch((err: unknown) => reject(toEnvdError(err, "dial_failed", `${what}: body`)));
  });
}

/** readBody collects a (small) response body; use it only for JSON replies and errors. */
export async function readBody(res: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of res) {
    n += (c as Buffer).length;
    if (n > limit) {
      res.destroy();
      throw new EnvdError("protocol_error", `response body larger than ${limit} bytes`);
    }
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** expectStatus throws an "http_error" carrying envd's `{code,message}` text unless the status is wanted. */
export async function expectStatus(res: IncomingMessage, what: string, ...ok: number[]): Promise<void> {
  const status = res.statusCode ?? 0;
  if (ok.includes(status)) return;
  let msg = await readBody(res, 64 << 10).catch(() => "");
  try {
    const parsed = JSON.parse(msg) as { message?: unknown };
    if (typeof parsed.message === "string") msg = parsed.message;
  } catch {
    // not JSON: keep the raw text
  }
  throw new EnvdError("http_error", `${what}: HTTP ${status}${msg ? `: ${msg.trim()}` : ""}`, { status });
}
