// config is how every Wrenn daemon reads its environment: one zod schema, parsed once at start-up,
// every bad variable reported at once.
import type { z } from "zod";

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
