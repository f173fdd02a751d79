// FAKE Firecracker jailer, modelled on docs/jailer.md: checks the argument contract Wrenn relies on,
// expects the jail root `<chroot-base-dir>/<exec-file name>/<id>/root` to hold the VM's files,
// starts the exec-file inside `--netns` (nsenter) with FAKE_FC_CHROOT standing in for chroot/pivot_root,
// writes `<root>/<exec-file name>.pid` (what --new-pid-ns does) and exits (--daemonize).
// It does no chroot, cgroup, uid/gid drop or mknod: it is a contract stand-in, not a sandbox.
import { spawn } from "node:child_process";
import { existsSync, openSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";

const args = process.argv.slice(2);
const sep = args.indexOf("--");
const own = sep >= 0 ? args.slice(0, sep) : args;
const fcArgs = sep >= 0 ? args.slice(sep + 1) : [];
const fail = (msg: string): never => {
  console.error(`fake jailer: ${msg}`);
  process.exit(1);
};
const flags = new Map<string, string[]>();
for (let i = 0; i < own.length; i++) {
  const k = own[i] as string;
  if (k === "--daemonize" || k === "--new-pid-ns") flags.set(k, ["true"]);
  else flags.set(k, [...(flags.get(k) ?? []), own[++i] ?? fail(`${k} needs a value`)]);
}
const one = (k: string) => flags.get(k)?.[0] ?? fail(`missing ${k}`);
const id = one("--id");
if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) fail(`invalid --id ${id}`);
const execFile = one("--exec-file");
for (const k of ["--uid", "--gid"]) if (!/^\d+$/.test(one(k))) fail(`${k} must be numeric`);
if (one("--cgroup-version") !== "2") fail("this host is cgroup v2");
for (const c of flags.get("--cgroup") ?? []) if (!/^[a-z]+\.[a-z_.]+=.+$/.test(c)) fail(`bad --cgroup ${c}`);
const netns = one("--netns");
if (!existsSync(netns)) fail(`netns ${netns} does not exist`);
if (!flags.has("--daemonize") || !flags.has("--new-pid-ns"))
  fail("Wrenn always passes --daemonize --new-pid-ns");
const root = join(one("--chroot-base-dir"), basename(execFile), id, "root");
if (!statSync(root, { throwIfNoEntry: false })?.isDirectory()) fail(`jail root ${root} was not prepared`);

const out = openSync(join(root, "..", "jailer-stdout.log"), "a");
const child = spawn("nsenter", [`--net=${netns}`, execFile, ...fcArgs], {
  detached: true,
  stdio: ["ignore", out, out],
  env: { ...process.env, FAKE_FC_CHROOT: root },
});
child.once("spawn", () => {
  writeFileSync(join(root, `${basename(execFile)}.pid`), `${child.pid}\n`);
  child.unref();
  process.exit(0);
});
child.once("error", (e) => fail(e.message));
