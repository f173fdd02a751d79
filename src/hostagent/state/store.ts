import { rm } from "node:fs/promises";
import { dirname, join } from "node:path";
import { syncDir, writeFileAtomic } from "./atomic.js";
import { assertId, StateError } from "./errors.js";
import { ensureDir, readJson, readJsonDir, type Skipped, sweepTemp } from "./files.js";
import { type IntentRecord, parseIntent } from "./intent.js";
import { parseRecord, type SandboxRecord } from "./record.js";
import { KeyedSerial } from "./serial.js";

/**
 * SandboxSecrets are what a resumed sandbox needs to be re-initialised through envd `/init`. They
 * are stored in plain text, readable only by the agent's user (file 0600 in a 0700 directory),
 * apart from the record so logs and debugging dumps of records never carry them.
 */
export interface SandboxSecrets {
  accessToken?: string;
  env?: Record<string, string>;
}

/** LoadResult is everything usable in a directory plus the files that were skipped and why. */
export interface LoadResult<T> {
  items: T[];
  skipped: Skipped[];
}

/**
 * StateStore is the host agent's crash-safe state directory:
 * `sandboxes/<id>.json` (records), `secrets/<id>.json` (0600) and `intents/<id>.json` (creates in
 * flight). Every write is atomic and writes to one id apply in call order.
 */
export class StateStore {
  readonly dir: string;
  readonly #serial = new KeyedSerial();

  private constructor(dir: string) {
    this.dir = dir;
  }

  /** open creates the directory layout (0700) and sweeps temp files left by interrupted writes. */
  static async open(dir: string): Promise<StateStore> {
    const s = new StateStore(dir);
    for (const sub of ["sandboxes", "secrets", "intents"]) {
      await ensureDir(join(dir, sub));
      await sweepTemp(join(dir, sub));
    }
    return s;
  }

  /** put writes (or replaces) a sandbox record after validating it. */
  async put(rec: SandboxRecord): Promise<void> {
    assertId(rec.id);
    const text = `${JSON.stringify(parseRecord(rec), null, 2)}\n`;
    return this.#write("sandboxes", rec.id, text);
  }

  /** get returns one record, or throws `not_found`. */
  async get(id: string): Promise<SandboxRecord> {
    assertId(id);
    const v = await readJson(this.#path("sandboxes", id));
    if (v === null) throw new StateError("not_found", `no record for sandbox ${id}`);
    return parseRecord(v);
  }

  /** list loads every record; broken files are skipped (with the reason), never fatal. */
  list(): Promise<LoadResult<SandboxRecord>> {
    return readJsonDir(join(this.dir, "sandboxes"), parseRecord);
  }

  /** delete removes a sandbox's record, secrets and intent; deleting twice is fine. */
  async delete(id: string): Promise<void> {
    assertId(id);
    return this.#serial.run(id, async () => {
      for (const sub of ["sandboxes", "secrets", "intents"]) await this.#unlink(this.#path(sub, id));
    });
  }

  /** putSecrets stores the envd access token and env vars (0600; see SandboxSecrets). */
  async putSecrets(id: string, secrets: SandboxSecrets): Promise<void> {
    assertId(id);
    return this.#write("secrets", id, `${JSON.stringify(secrets)}\n`);
  }

  /** getSecrets returns the stored secrets, or an empty object when none were stored. */
  async getSecrets(id: string): Promise<SandboxSecrets> {
    assertId(id);
    return ((await readJson(this.#path("secrets", id))) as SandboxSecrets | null) ?? {};
  }

  /**
   * beginIntent records a create before any resource exists, so a restart after `kill -9` finds
   * the half-done create (and the resource names it planned) and cleans it up.
   */
  async beginIntent(intent: IntentRecord): Promise<void> {
    assertId(intent.id);
    const text = `${JSON.stringify(parseIntent(intent), null, 2)}\n`;
    return this.#write("intents", intent.id, text);
  }

  /** noteIntent merges newly created resources (e.g. the VMM pid) into an open intent. */
  async noteIntent(id: string, resources: IntentRecord["resources"]): Promise<void> {
    assertId(id);
    return this.#serial.run(id, async () => {
      const cur = await readJson(this.#path("intents", id));
      if (cur === null) throw new StateError("not_found", `no intent for sandbox ${id}`);
      const intent = parseIntent(cur);
      intent.resources = { ...intent.resources, ...resources };
      await this.#atomic(this.#path("intents", id), `${JSON.stringify(intent, null, 2)}\n`);
    });
  }

  /** endIntent removes the intent once the create committed its record (or was rolled back). */
  async endIntent(id: string): Promise<void> {
    assertId(id);
    return this.#serial.run(id, () => this.#unlink(this.#path("intents", id)));
  }

  /** listIntents returns the creates that never finished: what a restart must clean up. */
  listIntents(): Promise<LoadResult<IntentRecord>> {
    return readJsonDir(join(this.dir, "intents"), parseIntent);
  }

  #path(sub: string, id: string): string {
    return join(this.dir, sub, `${id}.json`);
  }

  #write(sub: string, id: string, text: string): Promise<void> {
    return this.#serial.run(id, () => this.#atomic(this.#path(sub, id), text));
  }

  async #atomic(path: string, text: string): Promise<void> {
    try {
      await writeFileAtomic(path, text, 0o600);
    } catch (err) {
      throw new StateError("io_failed", `cannot write ${path}`, { cause: err });
    }
  }

  async #unlink(path: string): Promise<void> {
    try {
      await rm(path, { force: true });
      await syncDir(dirname(path));
    } catch (err) {
      throw new StateError("io_failed", `cannot remove ${path}`, { cause: err });
    }
  }
}
