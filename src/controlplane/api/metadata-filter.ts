import { ApiError } from "../errors.js";

const BRACKET = /^metadata\[([^\]]{1,128})\]$/;

/**
 * metadataFilter reads metadata filters from a query string in either form: `metadata[k]=v` (repeatable)
 * or E2B's single `metadata=k=v&k2=v2` (URL-encoded as one parameter). Returns undefined when absent.
 */
export function metadataFilter(search: URLSearchParams): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  let any = false;
  for (const [name, value] of search) {
    const m = BRACKET.exec(name);
    if (m?.[1]) {
      out[m[1]] = value;
      any = true;
    } else if (name === "metadata") {
      for (const [k, v] of new URLSearchParams(value)) {
        if (!k) throw new ApiError("bad_request", "query.metadata: expected k=v pairs joined by &");
        out[k] = v;
        any = true;
      }
    }
  }
  return any ? out : undefined;
}
