import type { Pool } from "../../shared/db/index.js";
import { dbCall } from "../../shared/db/index.js";
import { ensureTeam } from "../../shared/models/index.js";
import { hashSecret, parseApiKey } from "./api-key.js";
import { createKey } from "./key-store.js";

/** DEFAULT_TEAM is the team single-node mode and `make dev-seed` put the first key in. */
export const DEFAULT_TEAM = { id: "tm-default", name: "default" } as const;

/** BOOTSTRAP_KEY_NAME names keys made by ensureBootstrapKey, so admins can tell them apart. */
export const BOOTSTRAP_KEY_NAME = "bootstrap";

/** BootstrapResult says which key the platform starts with. */
export interface BootstrapResult {
  teamId: string;
  keyId: string;
  /** key is the secret to print as `WRENN_API_KEY=…`; null when an existing key was kept (not recoverable). */
  key: string | null;
  /** created is true when this call stored a new key. */
  created: boolean;
}

/**
 * ensureBootstrapKey makes sure the platform has a first API key, under an advisory lock so replicas
 * starting together agree. With `presentedKey` (WRENN_API_KEY) that exact key is registered for the
 * default team — idempotently; a revoked one is refused. Without it, a new key is created only if the
 * default team has no active key; otherwise `key` is null (hashes cannot be reversed), so dev tooling
 * should keep the key it printed and pass it back as WRENN_API_KEY. Takes the pool, not a transaction.
 */
export async function ensureBootstrapKey(sql: Pool, presentedKey?: string): Promise<BootstrapResult> {
  const parsed = presentedKey ? parseApiKey(presentedKey) : null;
  if (presentedKey && !parsed)
    throw new TypeError("WRENN_API_KEY must be wrn_ followed by 32–64 lowercase hex");
  return dbCall(() =>
    sql.begin(async (tx) => {
      await tx`SELECT pg_advisory_xact_lock(hashtext('wrenn.bootstrap_key'))`;
      const team = await ensureTeam(tx, DEFAULT_TEAM);
      if (parsed && presentedKey) {
        const [existing] = await tx<{ id: string; team_id: string; revoked_at: Date | null }[]>`
          SELECT id, team_id, revoked_at FROM api_keys WHERE hash = ${hashSecret(parsed.secret)}`;
        if (existing?.revoked_at)
          throw new TypeError("WRENN_API_KEY is a revoked key; unset it or pick another");
        if (existing)
          return { teamId: existing.team_id, keyId: existing.id, key: presentedKey, created: false };
        const made = await createKey(tx, { teamId: team.id, name: BOOTSTRAP_KEY_NAME, key: presentedKey });
        return { teamId: team.id, keyId: made.record.id, key: presentedKey, created: true };
      }
      const [active] = await tx<{ id: string }[]>`
        SELECT id FROM api_keys WHERE team_id = ${team.id} AND revoked_at IS NULL ORDER BY created_at LIMIT 1`;
      if (active) return { teamId: team.id, keyId: active.id, key: null, created: false };
      const made = await createKey(tx, { teamId: team.id, name: BOOTSTRAP_KEY_NAME });
      return { teamId: team.id, keyId: made.record.id, key: made.key, created: true };
    }),
  );
}
