import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { VmError } from "../errors.js";
import { QEMU_BINARY, shellQuote } from "./args.js";
import type { QmpClient } from "./qmp.js";

const run = promisify(execFile);

/** MAX_BANDWIDTH lifts QEMU's 32 MiB/s default migration limit: the target is a local file. */
const MAX_BANDWIDTH = 10 * 1024 * 1024 * 1024;

interface MigrateInfo {
  status?: string;
  "error-desc"?: string;
}

/**
 * migrateToFile writes the stopped VM's RAM and device state to `file`. QEMU 7.2 has no `file:`
 * URI, so it pipes through `exec:cat`; writing `.part` and renaming marks the file complete.
 */
export async function migrateToFile(
  qmp: QmpClient,
  file: string,
  opts: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  await qmp.execute("migrate-set-parameters", { "max-bandwidth": MAX_BANDWIDTH });
  const status = await qmp.execute<{ status: string }>("query-status");
  if (status.status === "running") await qmp.execute("stop");
  const part = `${file}.part`;
  await qmp.execute("migrate", {
    uri: `exec:cat > ${shellQuote(part)} && mv ${shellQuote(part)} ${shellQuote(file)}`,
  });
  const deadline = Date.now() + opts.timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 50)) {
    if (opts.signal?.aborted || Date.now() > deadline) {
      await qmp.execute("migrate_cancel").catch(() => {});
      throw new VmError(opts.signal?.aborted ? "aborted" : "timeout", `snapshot to ${file} did not finish`);
    }
    const info = await qmp.execute<MigrateInfo>("query-migrate");
    if (info.status === "completed") break;
    if (info.status === "failed" || info.status === "cancelled") {
      throw new VmError(
        "snapshot_failed",
        `migration to ${file} ${info.status}: ${info["error-desc"] ?? "no reason given"}`,
      );
    }
    await sleep(pause);
  }
  // The rename runs after QEMU reports completion: wait for it.
  for (let i = 0; i < 1000; i++) {
    if (
      await stat(file).then(
        () => true,
        () => false,
      )
    )
      return;
    await sleep(10);
  }
  throw new VmError("snapshot_failed", `migration completed but ${file} never appeared`);
}

/**
 * waitIncoming polls query-status until QEMU has loaded the incoming stream (it leaves "inmigrate")
 * and returns the new status; `alive` turns a QEMU that died on a bad stream into an error quickly.
 */
export async function waitIncoming(
  qmp: QmpClient,
  opts: { timeoutMs: number; signal?: AbortSignal; alive: () => Promise<boolean> },
): Promise<string> {
  const deadline = Date.now() + opts.timeoutMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 20)) {
    if (opts.signal?.aborted) throw new VmError("aborted", "restore aborted");
    if (Date.now() > deadline)
      throw new VmError("timeout", `snapshot not loaded within ${opts.timeoutMs} ms`);
    let status: string;
    try {
      status = (await qmp.execute<{ status: string }>("query-status")).status;
    } catch (err) {
      if (!(await opts.alive()))
        throw new VmError("restore_failed", "QEMU exited while loading the snapshot", { cause: err });
      throw err;
    }
    if (status !== "inmigrate") return status;
    await sleep(pause);
  }
}

let versionCache: Promise<string> | undefined;

/** qemuVersion is `qemu-system-x86_64 --version`'s first line; snapshots only load on the same build. */
export function qemuVersion(): Promise<string> {
  versionCache ??= run(QEMU_BINARY, ["--version"]).then((r) => r.stdout.split("\n")[0]?.trim() ?? "");
  return versionCache;
}
