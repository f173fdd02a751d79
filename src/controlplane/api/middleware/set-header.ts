import type { Context } from "hono";

/**
 * setResponseHeader sets a header on the final response after next(). Handlers that return a raw
 * Response (streams, the envd proxy) bypass c.header(), so middlewares stamp their headers here; an
 * immutable response is re-wrapped.
 */
export function setResponseHeader(c: Context, name: string, value: string): void {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
}
