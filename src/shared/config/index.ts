// config is how every Wrenn daemon reads its environment: one zod schema, parsed once at start-up,
// every bad variable reported at once.
import { z } from "zod";

/** ConfigError lists every bad variable, one per line, so an operator fixes them all at once. */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  constructor(
    component: string,
    readonly problems: string[],
  ) {
    super(`invalid ${component} configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  }
}

/**
 * parseEnv validates the variables `schema` names (unset and empty ones take their defaults) and
 * throws a ConfigError naming each bad one.
 */
export function parseEnv<S extends z.ZodObject>(
  schema: S,
  env: Record<string, string | undefined>,
  component: string,
): z.infer<S> {
  const input: Record<string, string> = {};
  for (const k of Object.keys(schema.shape)) {
    const v = env[k];
    if (v !== undefined && v !== "") input[k] = v;
  }
  const r = schema.safeParse(input);
  if (!r.success) {
    throw new ConfigError(
      component,
      r.error.issues.map((i) => `${String(i.path[0] ?? "config")}: ${i.message}`),
    );
  }
  return r.data;
}

/** configOrExit parses the process environment, or prints the problems and exits with status 2. */
export function configOrExit<T>(parse: (env: Record<string, string | undefined>) => T): T {
  try {
    return parse(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
}

/** intVar is a whole-number variable within [min, max]. */
export const intVar = (min: number, max: number) =>
  z.coerce
    .number({ message: "must be a whole number" })
    .int("must be a whole number")
    .min(min, `must be ≥ ${min}`)
    .max(max, `must be ≤ ${max}`);

/** HostPort is a parsed `host:port` address. */
export interface HostPort {
  host: string;
  port: number;
}

/** HOST_PORT matches `host:port`, the host a name, an IPv4 address or a bracketed IPv6 address. */
export const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/;

/** splitHostPort parses a string that matched HOST_PORT (brackets dropped from IPv6 hosts). */
export function splitHostPort(v: string): HostPort {
  const at = v.lastIndexOf(":");
  return { host: v.slice(0, at).replace(/^\[|\]$/g, ""), port: Number(v.slice(at + 1)) };
}

/** hostPortVar is a `host:port` variable kept as text; `example` shows the expected form. */
export const hostPortVar = (example: string) =>
  z.string().regex(HOST_PORT, `must be host:port (e.g. ${example})`);
