import { execFile } from "node:child_process";
import { FsError, type FsErrorCode } from "./errors.js";

/**
 * run executes a tool with an argument array (never a shell) and maps its failure to one FsError:
 * ENOSPC in the tool's stderr becomes `disk_full`, an abort becomes `aborted`, the rest `code`.
 */
export function run(cmd: string, args: string[], code: FsErrorCode, signal?: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { signal, maxBuffer: 1 << 20 }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const detail = `${cmd} ${args.join(" ")}: ${String(stderr).trim() || err.message}`;
      if (signal?.aborted) return reject(new FsError("aborted", `aborted: ${cmd}`, { cause: err }));
      if (/No space left on device/i.test(String(stderr))) {
        return reject(new FsError("disk_full", `disk full: ${detail}`, { cause: err }));
      }
      reject(new FsError(code, detail, { cause: err }));
    });
  });
}
