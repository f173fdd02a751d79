import { CgroupError } from "../cgroups/index.js";
import { EnvdError } from "../envdclient/index.js";
import { FsError } from "../filesystem/index.js";
import { NetworkError } from "../network/index.js";
import { StateError } from "../state/index.js";
import { VmError } from "../vm/index.js";
import { SandboxError, type SandboxErrorCode } from "./errors.js";

const fsCodes: Partial<Record<FsError["code"], SandboxErrorCode>> = {
  template_not_found: "not_found",
  invalid_name: "invalid_argument",
  invalid_size: "invalid_argument",
  disk_full: "capacity",
  aborted: "unavailable",
};
const netCodes: Partial<Record<NetworkError["code"], SandboxErrorCode>> = {
  invalid_cidr: "invalid_argument",
  invalid_config: "invalid_argument",
  exhausted: "capacity",
  not_found: "not_found",
};
const vmCodes: Partial<Record<VmError["code"], SandboxErrorCode>> = {
  invalid_spec: "invalid_argument",
  timeout: "unavailable",
  aborted: "unavailable",
  not_found: "unavailable",
};
const envdCodes: Partial<Record<EnvdError["code"], SandboxErrorCode>> = {
  dial_failed: "unavailable",
  handshake_failed: "unavailable",
  timeout: "unavailable",
  aborted: "unavailable",
};

/** CONSOLE_TAIL_LINES is how much of the guest console a boot failure carries to the caller. */
const CONSOLE_TAIL_LINES = 8;

/**
 * toSandboxError is the lifecycle layer's one funnel for caught values: each module's closed error
 * code maps to a SandboxErrorCode here, the message gets `context`, the original stays as `cause`.
 */
export function toSandboxError(err: unknown, context: string): SandboxError {
  if (err instanceof SandboxError) return err;
  const msg = err instanceof Error ? err.message : String(err);
  const wrap = (code: SandboxErrorCode, text = msg) =>
    new SandboxError(code, `${context}: ${text}`, { cause: err });
  if (err instanceof Error && (err.name === "AbortError" || err.name === "TimeoutError"))
    return wrap("unavailable", `aborted (${msg})`);
  if (err instanceof FsError) return wrap(fsCodes[err.code] ?? "internal");
  if (err instanceof NetworkError) return wrap(netCodes[err.code] ?? "internal");
  if (err instanceof EnvdError) return wrap(envdCodes[err.code] ?? "internal");
  if (err instanceof CgroupError) return wrap(err.code === "invalid_spec" ? "invalid_argument" : "internal");
  if (err instanceof StateError) return wrap(err.code === "invalid_id" ? "invalid_argument" : "internal");
  if (err instanceof VmError) {
    const tail = consoleTail(err.detail);
    const text =
      tail && (err.code === "boot_failed" || err.code === "restore_failed") ? `${msg}\n${tail}` : msg;
    return wrap(vmCodes[err.code] ?? "internal", text);
  }
  return wrap("internal");
}

/** consoleTail picks the guest console's last lines out of a VmError's detail (serial log section). */
function consoleTail(detail: string | undefined): string {
  if (!detail) return "";
  const at = detail.lastIndexOf("serial.log");
  const serial = at >= 0 ? detail.slice(detail.indexOf("\n", at) + 1) : detail;
  const lines = serial
    .trimEnd()
    .split("\n")
    .filter((l) => l.trim() !== "");
  return lines.length ? `console: ${lines.slice(-CONSOLE_TAIL_LINES).join(" | ")}` : "";
}
