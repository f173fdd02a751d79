import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { VmError } from "../errors.js";
import { API_SOCK, jailerArgv, jailerRoot } from "./jailer.js";

describe("jailer argv", () => {
  const o = {
    binary: "/usr/local/bin/jailer",
    execFile: "/usr/local/bin/firecracker",
    uid: 10001,
    gid: 10001,
    chrootBaseDir: "/srv/jailer",
  };

  it("builds the documented command line with cgroup v2, netns, daemonize and a new pid ns", () => {
    const argv = jailerArgv(
      {
        ...o,
        cgroups: { "cpu.max": "200000 100000", "memory.max": "300M" },
        parentCgroup: "wrenn",
        resourceLimits: { "no-file": 4096 },
      },
      "sb-1234",
      "sb-1234",
      ["--api-sock", API_SOCK],
    );
    assert.deepEqual(argv, [
      "/usr/local/bin/jailer",
      "--id",
      "sb-1234",
      "--exec-file",
      "/usr/local/bin/firecracker",
      "--uid",
      "10001",
      "--gid",
      "10001",
      "--cgroup-version",
      "2",
      "--chroot-base-dir",
      "/srv/jailer",
      "--netns",
      "/var/run/netns/sb-1234",
      "--cgroup",
      "cpu.max=200000 100000",
      "--cgroup",
      "memory.max=300M",
      "--parent-cgroup",
      "wrenn",
      "--resource-limit",
      "no-file=4096",
      "--daemonize",
      "--new-pid-ns",
      "--",
      "--api-sock",
      "/run/firecracker.socket",
    ]);
  });

  it("puts the chroot at <base>/<exec name>/<id>/root", () => {
    assert.equal(jailerRoot(o, "sb-1"), "/srv/jailer/firecracker/sb-1/root");
  });

  it("rejects ids the jailer would refuse", () => {
    for (const id of ["", "a_b", "x".repeat(65), "../etc"]) {
      assert.throws(
        () => jailerArgv(o, id, "ns", []),
        (e) => e instanceof VmError && e.code === "invalid_spec",
      );
    }
  });
});
