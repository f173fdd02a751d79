import { timingSafeEqual } from "node:crypto";
import type { IncomingHttpHeaders } from "node:http";
import { Code, ConnectError, type Interceptor } from "@connectrpc/connect";

/** AGENT_TOKEN_HEADER carries the shared agent token where Authorization belongs to envd (pass-through). */
export const AGENT_TOKEN_HEADER = "x-wrenn-agent-token";

/** tokenMatches compares in constant time. */
export function tokenMatches(expected: string, got: string | undefined): boolean {
  if (!got) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(got);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** presentedToken reads the agent token from `x-wrenn-agent-token` or `Authorization: Bearer`. */
export function presentedToken(get: (name: string) => string | null | undefined): string | undefined {
  const direct = get(AGENT_TOKEN_HEADER);
  if (direct) return direct;
  const auth = get("authorization");
  return auth?.startsWith("Bearer ") ? auth.slice(7) : undefined;
}

/** authInterceptor rejects RPCs without the shared agent token. */
export function authInterceptor(token: string): Interceptor {
  return (next) => async (req) => {
    if (
      !tokenMatches(
        token,
        presentedToken((n) => req.header.get(n)),
      )
    ) {
      throw new ConnectError("missing or invalid agent token", Code.Unauthenticated);
    }
    return next(req);
  };
}

/** httpTokenOk checks a plain HTTP request (the envd pass-through) for the agent token. */
export function httpTokenOk(token: string, headers: IncomingHttpHeaders): boolean {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return tokenMatches(token, first(headers[AGENT_TOKEN_HEADER]));
}
