import { basename, join } from "node:path";
import { VmError } from "../errors.js";

/** JailerOptions configure Firecracker's jailer (chroot, cgroup v2, netns, privilege drop). */
export interface JailerOptions {
  /** binary is the jailer executable. */
  binary: string;
  /** execFile is the firecracker binary the jailer copies into the chroot. */
  execFile: string;
  uid: number;
  gid: number;
  chrootBaseDir: string;
  /** cgroups are `file=value` settings (e.g. cpu.max, memory.max) for the VM's cgroup. */
  cgroups?: Record<string, string>;
  parentCgroup?: string;
  /** resourceLimits are `--resource-limit` settings (fsize, no-file). */
  resourceLimits?: Record<string, number>;
}

/** API_SOCK is Firecracker's API socket path inside the chroot. */
export const API_SOCK = "/run/firecracker.socket";

const ID = /^[A-Za-z0-9-]{1,64}$/;

/**
 * jailerArgv builds the jailer command line (argv array, never a shell string). `--daemonize` and
 * `--new-pid-ns` detach the VMM from the host agent; `fcArgs` follow `--`.
 */
export function jailerArgv(o: JailerOptions, id: string, netns: string, fcArgs: readonly string[]): string[] {
  if (!ID.test(id))
    throw new VmError("invalid_spec", `jailer id ${JSON.stringify(id)} must be 1-64 of [A-Za-z0-9-]`);
  const argv = [
    o.binary,
    "--id",
    id,
    "--exec-file",
    o.execFile,
    "--uid",
    String(o.uid),
    "--gid",
    String(o.gid),
    "--cgroup-version",
    "2",
    "--chroot-base-dir",
    o.chrootBaseDir,
    "--netns",
    `/var/run/netns/${netns}`,
  ];
  for (const [k, v] of Object.entries(o.cgroups ?? {})) argv.push("--cgroup", `${k}=${v}`);
  if (o.parentCgroup) argv.push("--parent-cgroup", o.parentCgroup);
  for (const [k, v] of Object.entries(o.resourceLimits ?? {})) argv.push("--resource-limit", `${k}=${v}`);
  argv.push("--daemonize", "--new-pid-ns", "--", ...fcArgs);
  return argv;
}

/** jailerRoot is the chroot the jailer builds: `<base>/<exec-file name>/<id>/root`. */
export function jailerRoot(o: Pick<JailerOptions, "chrootBaseDir" | "execFile">, id: string): string {
  return join(o.chrootBaseDir, basename(o.execFile), id, "root");
}

/** firecrackerArgv is the plain (unjailed) command line: API socket and instance id. */
export function firecrackerArgs(apiSock: string, id: string): string[] {
  return ["--api-sock", apiSock, "--id", id];
}
