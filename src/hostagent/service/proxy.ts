import { type IncomingMessage, request, type ServerResponse } from "node:http";
import { Code } from "@connectrpc/connect";
import { DialerAgent, ENVD_PORT, type EnvdDialer } from "../envdclient/index.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { AGENT_TOKEN_HEADER, httpTokenOk } from "./auth.js";
import { toConnectError } from "./errors.js";

/** PROXY_PREFIX starts pass-through paths: /sandboxes/<id>/envd/<envd path>. */
export const PROXY_PREFIX = "/sandboxes/";
const route = /^\/sandboxes\/(sb-[0-9a-f]+)\/envd(\/.*)?$/;

/** isProxyPath reports whether an HTTP request is for the envd pass-through. */
export function isProxyPath(url: string | undefined): boolean {
  return route.test((url ?? "").split("?")[0] ?? "");
}

/**
 * proxyToEnvd forwards one HTTP request to the sandbox's envd, streaming both bodies, so clients that
 * speak envd's own protocol (the E2B SDKs) reach it through the agent. Callers need the agent token.
 */
export function proxyToEnvd(
  m: SandboxManager,
  token: string,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const [pathPart, query] = splitQuery(req.url ?? "");
  const match = route.exec(pathPart);
  if (!match) {
    fail(res, 404, "not_found", "no such route");
    return;
  }
  if (!httpTokenOk(token, req.headers)) {
    fail(res, 401, "unauthenticated", "missing or invalid agent token");
    return;
  }
  const [, id, rest] = match;
  let agent: DialerAgent;
  try {
    agent = agentFor(m.dialer(id as string));
  } catch (err) {
    const ce = toConnectError(err);
    fail(res, ce.code === Code.NotFound ? 404 : 409, "sandbox_unavailable", ce.rawMessage);
    return;
  }
  const headers = { ...req.headers };
  delete headers[AGENT_TOKEN_HEADER];
  headers.host = "envd";
  const upstream = request({
    method: req.method,
    path: `${rest || "/"}${query}`,
    headers,
    agent,
  });
  upstream.on("response", (up) => {
    res.writeHead(up.statusCode ?? 502, up.headers);
    up.pipe(res);
  });
  upstream.on("error", (err) => {
    if (!res.headersSent) fail(res, 502, "envd_unreachable", err.message);
    else res.destroy(err);
  });
  req.on("aborted", () => upstream.destroy());
  req.pipe(upstream);
}

const agents = new WeakMap<EnvdDialer, DialerAgent>();

/** agentFor keeps one keep-alive pool per sandbox dialer. */
function agentFor(dialer: EnvdDialer): DialerAgent {
  let a = agents.get(dialer);
  if (!a) {
    a = new DialerAgent(dialer, ENVD_PORT);
    agents.set(dialer, a);
  }
  return a;
}

function splitQuery(url: string): [string, string] {
  const i = url.indexOf("?");
  return i < 0 ? [url, ""] : [url.slice(0, i), url.slice(i)];
}

function fail(res: ServerResponse, status: number, code: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { code, message } }));
}
