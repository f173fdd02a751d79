import type { IncomingMessage } from "node:http";
import type { Readable } from "node:stream";
import { EnvdError } from "./errors.js";
import { expectStatus, type RestContext, readBody, restRequest } from "./rest.js";

/** FileEntry is one element of POST /files' JSON reply. */
export interface FileEntry {
  path: string;
  name: string;
  type: string;
}

/** FileOptions picks the guest user (default: envd's default user) and allows cancellation. */
export interface FileOptions {
  user?: string;
  signal?: AbortSignal;
}

/**
 * upload streams `source` to `path` in the guest (POST /files, application/octet-stream);
 * parents are created and an existing file is replaced. Nothing is buffered whole.
 */
export async function upload(
  ctx: RestContext,
  path: string,
  source: Readable | Uint8Array | string,
  opts: FileOptions = {},
): Promise<FileEntry[]> {
  const res = await restRequest(ctx, {
    method: "POST",
    path: "/files",
    query: { path, username: opts.user },
    headers: { "content-type": "application/octet-stream" },
    body: source,
    signal: opts.signal,
  });
  await expectStatus(res, `upload ${path}`, 200, 201);
  const text = await readBody(res);
  try {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new Error("not an array");
    return parsed as FileEntry[];
  } catch (err) {
    throw new EnvdError(
      "protocol_error",
      `upload ${path}: unexpected reply ${JSON.stringify(text.slice(0, 200))}`,
      {
        cause: err,
      },
    );
  }
}

/** download returns the guest file's bytes as a stream (GET /files); consume or destroy it. */
export async function download(
  ctx: RestContext,
  path: string,
  opts: FileOptions = {},
): Promise<IncomingMessage> {
  const res = await restRequest(ctx, {
    method: "GET",
    path: "/files",
    query: { path, username: opts.user },
    signal: opts.signal,
  });
  await expectStatus(res, `download ${path}`, 200);
  return res;
}
