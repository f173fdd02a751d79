import type { Hono } from "hono";
import type { ExecInput } from "../../sandboxes/types.js";
import type { ApiDeps, ApiEnv } from "../deps.js";
import { collectExec, execEventStream } from "../exec-stream.js";
import type { OpenApiRegistry } from "../openapi/registry.js";
import { ErrorSchema, ExecBody, ExecResultSchema } from "../schemas.js";
import { readJson } from "../validate.js";

const DEFAULT_MAX_OUTPUT = 32 << 20;

/**
 * execRoutes registers POST /v1/sandboxes/{id}/exec: a JSON result by default, or an SSE stream when the
 * client sends `Accept: text/event-stream`. The first event is awaited before answering so that errors
 * such as an unknown sandbox still get their real status.
 */
export function execRoutes(app: Hono<ApiEnv>, reg: OpenApiRegistry, deps: ApiDeps): void {
  const maxOutput = deps.limits?.execOutputBytes ?? DEFAULT_MAX_OUTPUT;
  reg.route(
    app,
    {
      method: "post",
      path: "/v1/sandboxes/{id}/exec",
      operationId: "execInSandbox",
      summary: "Run a command and return its result, or stream its output as Server-Sent Events",
      description:
        "Without args (and shell not false) cmd runs as `bash -lc cmd`. With Accept: text/event-stream the " +
        "events are start {pid}, stdout/stderr {data: base64 bytes}, exit {exit_code, status, error, " +
        "duration_ms}; a failure after the stream began ends it with an error event {error:{code,message}}.",
      tags: ["exec"],
      body: { schema: ExecBody },
      responses: {
        200: { description: "the finished command", schema: ExecResultSchema },
        400: { description: "schema error", schema: ErrorSchema },
        404: { description: "unknown sandbox", schema: ErrorSchema },
        409: { description: "the sandbox is not running", schema: ErrorSchema },
      },
    },
    async (c) => {
      const body = await readJson(c, ExecBody);
      const input: ExecInput = {
        cmd: body.cmd,
        args: body.args ?? [],
        shell: body.shell ?? body.args === undefined,
        env: body.env,
        timeout_s: body.timeout_s,
        ...(body.cwd !== undefined ? { cwd: body.cwd } : {}),
        ...(body.user !== undefined ? { user: body.user } : {}),
        ...(body.stdin !== undefined ? { stdin: new Uint8Array(Buffer.from(body.stdin, "base64")) } : {}),
      };
      const ac = new AbortController();
      const onClientGone = () => ac.abort();
      c.req.raw.signal.addEventListener("abort", onClientGone, { once: true });
      const startedAt = performance.now();
      const it = deps.sandboxes
        .exec(c.get("caller"), c.req.param("id"), input, ac.signal)
        [Symbol.asyncIterator]();
      const first = await it.next();
      if ((c.req.header("accept") ?? "").includes("text/event-stream")) {
        const stream = execEventStream(first, it, startedAt, () => ac.abort());
        return new Response(stream, {
          headers: {
            "Content-Type": "text/event-stream; charset=utf-8",
            "Cache-Control": "no-cache",
            "X-Accel-Buffering": "no",
          },
        });
      }
      try {
        return c.json(await collectExec(first, it, startedAt, maxOutput));
      } finally {
        c.req.raw.signal.removeEventListener("abort", onClientGone);
      }
    },
  );
}
