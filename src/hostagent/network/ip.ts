import { execFile } from "node:child_process";
import { NetworkError } from "./errors.js";

/** ip runs `ip <args>` (argv, never a shell string) and fails with the command's stderr. */
export function ip(args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile("ip", args, { timeout: 10_000 }, (err, stdout, stderr) => {
      if (err)
        reject(
          new NetworkError("command_failed", `ip ${args.join(" ")}: ${stderr.trim() || err.message}`, {
            cause: err,
          }),
        );
      else resolve(stdout);
    });
  });
}
