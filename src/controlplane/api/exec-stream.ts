import type { ExecEvent } from "../sandboxes/types.js";
import { errorBody, toApiError } from "./errors.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const lenient = new TextDecoder("utf-8");

/** ExecResult is the JSON answer of a non-streamed exec. */
export interface ExecResult {
  exit_code: number;
  status: string;
  error: string;
  duration_ms: number;
  stdout: string;
  stderr: string;
  stdout_b64?: string;
  stderr_b64?: string;
  truncated: boolean;
}

/** text decodes output as UTF-8; when the bytes are not valid UTF-8 it also returns them as base64. */
function text(bytes: Buffer): { s: string; b64?: string } {
  try {
    return { s: utf8.decode(bytes) };
  } catch {
    return { s: lenient.decode(bytes), b64: bytes.toString("base64") };
  }
}

/**
 * collectExec drains an exec into one JSON result, keeping at most maxBytes of stdout+stderr
 * (the rest is dropped and `truncated` set) so one chatty command cannot exhaust the server.
 */
export async function collectExec(
  first: IteratorResult<ExecEvent>,
  it: AsyncIterator<ExecEvent>,
  startedAt: number,
  maxBytes: number,
): Promise<ExecResult> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  let kept = 0;
  let truncated = false;
  let exit: Extract<ExecEvent, { type: "exit" }> | undefined;
  for (let r = first; !r.done; r = await it.next()) {
    const ev = r.value;
    if (ev.type === "exit") exit = ev;
    else if (ev.type === "stdout" || ev.type === "stderr") {
      const room = Math.max(0, maxBytes - kept);
      const chunk = Buffer.from(ev.data.buffer, ev.data.byteOffset, Math.min(room, ev.data.byteLength));
      if (chunk.byteLength < ev.data.byteLength) truncated = true;
      kept += chunk.byteLength;
      (ev.type === "stdout" ? out : err).push(chunk);
    }
  }
  const o = text(Buffer.concat(out));
  const e = text(Buffer.concat(err));
  return {
    exit_code: exit?.exit_code ?? -1,
    status: exit?.status ?? "unknown",
    error: exit?.error ?? "the process ended without an exit status",
    duration_ms: Math.round(performance.now() - startedAt),
    stdout: o.s,
    stderr: e.s,
    ...(o.b64 !== undefined ? { stdout_b64: o.b64 } : {}),
    ...(e.b64 !== undefined ? { stderr_b64: e.b64 } : {}),
    truncated,
  };
}

/** sseFrame is one Server-Sent Event with a JSON data line. */
export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** eventData is the SSE JSON payload of an exec event; output bytes travel as base64 (binary-safe). */
function eventData(ev: ExecEvent, startedAt: number): unknown {
  switch (ev.type) {
    case "start":
      return { pid: ev.pid };
    case "stdout":
    case "stderr":
      return { data: Buffer.from(ev.data.buffer, ev.data.byteOffset, ev.data.byteLength).toString("base64") };
    case "exit":
      return {
        exit_code: ev.exit_code,
        status: ev.status,
        error: ev.error,
        duration_ms: Math.round(performance.now() - startedAt),
      };
  }
}

/**
 * execEventStream turns an exec into an SSE body: events `start`, `stdout`, `stderr`, `exit`, or a final
 * `error` ({"error":{code,message}}) if the exec fails after the stream began. Cancelling the body
 * (client gone) aborts the exec through `abort`.
 */
export function execEventStream(
  first: IteratorResult<ExecEvent>,
  it: AsyncIterator<ExecEvent>,
  startedAt: number,
  abort: () => void,
): ReadableStream<Uint8Array> {
  const enc = new TextEncoder();
  let pending: IteratorResult<ExecEvent> | undefined = first;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const r = pending ?? (await it.next());
        pending = undefined;
        if (r.done) {
          controller.close();
          return;
        }
        controller.enqueue(enc.encode(sseFrame(r.value.type, eventData(r.value, startedAt))));
      } catch (e) {
        controller.enqueue(enc.encode(sseFrame("error", errorBody(toApiError(e)))));
        controller.close();
      }
    },
    async cancel() {
      abort();
      await it.return?.();
    },
  });
}
