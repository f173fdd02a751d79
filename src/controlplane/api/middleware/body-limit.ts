import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { ApiError } from "../../errors.js";
import type { ApiEnv } from "../deps.js";

/**
 * jsonBodyLimit caps bodies the API buffers (JSON requests) at maxBytes, whether or not the client
 * sent Content-Length, and answers 413. Streamed uploads and the envd pass-through do not use it.
 */
export function jsonBodyLimit(maxBytes: number): MiddlewareHandler<ApiEnv> {
  if (!(maxBytes > 0)) throw new RangeError("jsonBodyLimit: maxBytes must be > 0");
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ApiError("payload_too_large", `request body exceeds ${maxBytes} bytes`);
    },
  });
}
