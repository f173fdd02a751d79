import { request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { request as httpsRequest } from "node:https";
import { Readable } from "node:stream";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import { ApiError } from "../errors.js";
import type { EnvdRoute } from "../sandboxes/types.js";

/** HOP_BY_HOP headers belong to one connection and are never forwarded (RFC 9110 §7.6.1). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "host",
]);

/** DROPPED_REQUEST headers are ours, not envd's: the API key never leaves the control plane. */
const DROPPED_REQUEST = new Set(["x-api-key", "x-wrenn-agent-token", "content-length"]);

function responseHeaders(h: IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const [k, v] of Object.entries(h)) {
    if (v === undefined || HOP_BY_HOP.has(k)) continue;
    for (const one of Array.isArray(v) ? v : [v]) out.append(k, one);
  }
  return out;
}

/**
 * forwardToEnvd proxies one request to a sandbox's envd through its host agent: `rest` (path + query)
 * is appended to route.baseUrl and x-wrenn-agent-token added. Both bodies stream (node:http, so neither
 * is buffered nor transparently decompressed) and envd's status and headers come back unchanged.
 */
export function forwardToEnvd(req: Request, route: EnvdRoute, rest: string): Promise<Response> {
  const target = new URL(route.baseUrl.replace(/\/+$/, "") + (rest.startsWith("/") ? rest : `/${rest}`));
  const headers: Record<string, string> = {};
  req.headers.forEach((v, k) => {
    if (!HOP_BY_HOP.has(k) && !DROPPED_REQUEST.has(k)) headers[k] = v;
  });
  const length = req.headers.get("content-length");
  if (length) headers["content-length"] = length;
  headers["x-wrenn-agent-token"] = route.agentToken;
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const out = send(target, { method: req.method, headers, signal: req.signal }, (res) => {
      const status = res.statusCode ?? 502;
      const empty = status === 204 || status === 304 || req.method === "HEAD";
      if (empty) res.resume();
      const body = empty ? null : (Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>);
      resolve(new Response(body, { status, headers: responseHeaders(res.headers) }));
    });
    out.on("error", (err) =>
      reject(
        new ApiError("unavailable", "the sandbox's envd is unreachable", { cause: err, retryAfterS: 1 }),
      ),
    );
    if (!req.body) {
      out.end();
      return;
    }
    const body = Readable.fromWeb(req.body as NodeReadableStream<Uint8Array>);
    body.on("error", (err) => out.destroy(err));
    body.pipe(out);
  });
}
