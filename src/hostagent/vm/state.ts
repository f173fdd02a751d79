import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { VmHandle, VmmKind } from "./driver.js";
import { VmError } from "./errors.js";
import { writeJsonAtomic } from "./fingerprint.js";

/** STATE_FILE is the per-VM JSON a host agent reads to re-adopt its VMs after a restart. */
export const STATE_FILE = "vm.json";

/** VmState is the state file's content: the handle plus backend details (socket paths, accelerator). */
export interface VmState {
  version: 1;
  handle: VmHandle;
  /** backend holds driver-specific fields (QMP socket, API socket, accelerator). */
  backend: Record<string, string>;
  startedAt: string;
}

/** writeState stores the state atomically (write + rename), so a crash never leaves half a file. */
export async function writeState(stateDir: string, state: VmState): Promise<void> {
  await writeJsonAtomic(join(stateDir, STATE_FILE), state, 0o600);
}

/** readState loads a state file written by `kind`'s driver; null when there is none. */
export async function readState(stateDir: string, kind: VmmKind): Promise<VmState | null> {
  let text: string;
  try {
    text = await readFile(join(stateDir, STATE_FILE), "utf8");
  } catch {
    return null;
  }
  let st: VmState;
  try {
    st = JSON.parse(text) as VmState;
  } catch (err) {
    throw new VmError("not_found", `corrupt state file in ${stateDir}`, { cause: err });
  }
  if (st.version !== 1 || st.handle?.kind !== kind || typeof st.handle.pid !== "number") return null;
  return st;
}

/** removeState deletes the state file (after the VMM is gone). */
export async function removeState(stateDir: string): Promise<void> {
  await rm(join(stateDir, STATE_FILE), { force: true });
}
