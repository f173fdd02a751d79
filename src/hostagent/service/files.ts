import { Readable } from "node:stream";
import { Code, ConnectError, type HandlerContext } from "@connectrpc/connect";
import type { ReadFileRequest, WriteFileRequest } from "../../shared/gen/hostagent/v1/hostagent_pb.js";
import type { SandboxManager } from "../lifecycle/types.js";
import { guard, toConnectError } from "./errors.js";

/** readFile streams a guest file: the first message carries the size, then data chunks. */
export async function* readFile(m: SandboxManager, req: ReadFileRequest, ctx: HandlerContext) {
  try {
    const res = await m.envd(req.id).download(req.path, { user: req.user || undefined, signal: ctx.signal });
    const len = res.headers["content-length"];
    yield { size: len !== undefined ? BigInt(len) : undefined, data: new Uint8Array() };
    for await (const chunk of res) yield { data: chunk as Buffer };
  } catch (err) {
    throw toConnectError(err);
  }
}

/** writeFile takes id/path/user from the first message and streams every message's data to the guest. */
export function writeFile(m: SandboxManager, reqs: AsyncIterable<WriteFileRequest>, ctx: HandlerContext) {
  return guard(async () => {
    const it = reqs[Symbol.asyncIterator]();
    const first = await it.next();
    if (first.done) throw new ConnectError("empty WriteFile stream", Code.InvalidArgument);
    const { id, path, user } = first.value;
    if (!path) throw new ConnectError("path is required", Code.InvalidArgument);
    const client = m.envd(id);
    let written = 0n;
    async function* body() {
      if (first.value?.data.length) {
        written += BigInt(first.value.data.length);
        yield first.value.data;
      }
      for (let r = await it.next(); !r.done; r = await it.next()) {
        written += BigInt(r.value.data.length);
        yield r.value.data;
      }
    }
    await client.upload(path, Readable.from(body()), { user: user || undefined, signal: ctx.signal });
    return { bytesWritten: written };
  });
}
