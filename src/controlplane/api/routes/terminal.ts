import type { Hono } from "hono";
import type { UpgradeWebSocket, WSContext } from "hono/ws";
import type { TerminalSession } from "../../sandboxes/types.js";
import type { ApiDeps, ApiEnv, ApiLogger } from "../deps.js";
import type { OpenApiRegistry, RouteHandler } from "../openapi/registry.js";
import { ErrorSchema, ResizeMessage, TerminalQuery } from "../schemas.js";
import { readQuery } from "../validate.js";

/** UPGRADE_GRACE_MS is how long an opened PTY waits for its WebSocket handshake to finish. */
const UPGRADE_GRACE_MS = 10_000;

/** parseResize returns the resize a text frame asks for, or null when it is not a resize message. */
function parseResize(text: string): { cols: number; rows: number } | null {
  try {
    const r = ResizeMessage.safeParse(JSON.parse(text));
    return r.success ? r.data : null;
  } catch {
    return null;
  }
}

/** pump copies PTY output to the socket, then closes it with 1000 "exit <code>" once the shell ended. */
async function pump(session: TerminalSession, ws: WSContext, logger: ApiLogger): Promise<void> {
  try {
    for await (const chunk of session.output) {
      if (ws.readyState !== 1) break;
      ws.send(new Uint8Array(chunk));
    }
    const code = await session.exit;
    if (ws.readyState === 1) ws.close(1000, `exit ${code}`);
  } catch (err) {
    logger.warn("terminal stream failed", { error: err instanceof Error ? err.message : String(err) });
    if (ws.readyState === 1) ws.close(1011, "terminal failed");
  }
}

/**
 * terminalRoutes registers WS /v1/sandboxes/{id}/terminal: binary frames carry PTY bytes both ways; a
 * text frame `{"type":"resize","cols":N,"rows":M}` resizes, any other text frame is typed as UTF-8
 * input (what browser terminals send). The PTY is opened before the upgrade, so an unknown sandbox is a
 * plain 404 response; the socket closes with code 1000 and reason "exit <code>" when the shell exits.
 */
export function terminalRoutes(
  app: Hono<ApiEnv>,
  reg: OpenApiRegistry,
  deps: ApiDeps,
  upgradeWebSocket: UpgradeWebSocket,
): void {
  reg.route(
    app,
    {
      method: "get",
      path: "/v1/sandboxes/{id}/terminal",
      operationId: "openTerminal",
      summary: "WebSocket PTY: binary frames both ways, text frame {type:resize,cols,rows}",
      description: "Upgrade with Connection: Upgrade. The key may also be given as ?api_key= for browsers.",
      tags: ["terminal"],
      query: TerminalQuery,
      responses: {
        101: { description: "switching to the WebSocket protocol" },
        404: { description: "unknown sandbox", schema: ErrorSchema },
      },
    },
    upgradeWebSocket(async (c) => {
      const q = readQuery(c, TerminalQuery);
      const caller = (c as unknown as { get(k: "caller"): ApiEnv["Variables"]["caller"] }).get("caller");
      const session = await deps.sandboxes.terminal(caller, c.req.param("id") ?? "", {
        cols: q.cols,
        rows: q.rows,
        ...(q.user ? { user: q.user } : {}),
      });
      const encoder = new TextEncoder();
      // The PTY exists before the upgrade; if the handshake never completes, do not leak it.
      const abandoned = setTimeout(() => session.close(), UPGRADE_GRACE_MS);
      abandoned.unref();
      return {
        onOpen: (_ev, ws) => {
          clearTimeout(abandoned);
          void pump(session, ws, deps.logger);
        },
        onMessage: (ev, _ws) => {
          if (typeof ev.data === "string") {
            const r = parseResize(ev.data);
            if (r) session.resize(r.cols, r.rows);
            else session.input(encoder.encode(ev.data));
          } else if (ev.data instanceof ArrayBuffer) {
            session.input(new Uint8Array(ev.data));
          }
        },
        onClose: () => session.close(),
        onError: () => session.close(),
      };
    }) as unknown as RouteHandler<ApiEnv>,
  );
}
