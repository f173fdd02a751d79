// Contract test of Wrenn's Firecracker API calls against a FAKE server recorded from Firecracker's
// published API (see fake-firecracker.ts); the real binary cannot run on this host.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  configureAndStart,
  createSnapshot,
  FirecrackerApi,
  FirecrackerApiError,
  type GuestPaths,
  loadSnapshot,
} from "../../src/hostagent/vm/firecracker/index.js";
import type { VmSpec } from "../../src/hostagent/vm/index.js";
import { FakeFirecracker } from "./fake-firecracker.js";

describe("Firecracker API contract (fake server)", () => {
  let dir: string;
  let spec: VmSpec;
  let paths: GuestPaths;
  const fakes: FakeFirecracker[] = [];
  const start = async (name: string) => {
    const f = new FakeFirecracker(join(dir, `${name}.sock`));
    await f.listen();
    fakes.push(f);
    return { fake: f, api: new FirecrackerApi(f.socketPath) };
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "fc-contract-"));
    spec = {
      id: "sb-1",
      kernel: join(dir, "vmlinux"),
      rootfs: join(dir, "rootfs.ext4"),
      vcpus: 2,
      memMiB: 256,
      network: {
        netns: "sb-1",
        tap: "tap0",
        mac: "02:fc:00:00:00:05",
        guestIp: "169.254.0.21",
        gatewayIp: "169.254.0.22",
      },
      vsockCid: 3,
      stateDir: dir,
    };
    paths = {
      kernel: spec.kernel,
      rootfs: spec.rootfs,
      log: join(dir, "fc.log"),
      metrics: join(dir, "metrics.json"),
      vsock: join(dir, "v.sock"),
    };
    // Firecracker opens these files when they are configured.
    for (const f of [paths.kernel, paths.rootfs, paths.log, paths.metrics]) await writeFile(f, "");
  });
  after(async () => {
    for (const f of fakes) await f.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("boots, pauses and snapshots with well-formed requests in a valid order", async () => {
    const { fake, api } = await start("boot");
    await configureAndStart(api, spec, paths);
    assert.deepEqual(
      fake.calls.map((c) => `${c.status} ${c.method} ${c.path}`),
      [
        "204 PUT /logger",
        "204 PUT /metrics",
        "204 PUT /machine-config",
        "204 PUT /boot-source",
        "204 PUT /drives/rootfs",
        "204 PUT /network-interfaces/eth0",
        "204 PUT /vsock",
        "204 PUT /actions",
      ],
    );
    const boot = fake.calls.find((c) => c.path === "/boot-source")?.body as { boot_args: string };
    assert.match(boot.boot_args, /wrenn\.ip=169\.254\.0\.21\/30 wrenn\.gw=169\.254\.0\.22/);
    assert.equal(fake.state, "Running");
    assert.equal((await api.describe()).state, "Running");

    await api.patchVm({ state: "Paused" });
    await api.patchVm({ state: "Resumed" });
    const files = { state: join(dir, "vmstate.bin"), memory: join(dir, "memory.bin") };
    await createSnapshot(api, files, 5000);
    assert.equal(fake.state, "Paused");
    assert.ok(existsSync(files.state) && existsSync(files.memory));
    assert.deepEqual(fake.calls.at(-1)?.body, {
      snapshot_type: "Full",
      snapshot_path: files.state,
      mem_file_path: files.memory,
    });
  });

  it("loads a snapshot into a fresh process with network and vsock overrides", async () => {
    const { fake, api } = await start("load");
    const files = { state: join(dir, "vmstate.bin"), memory: join(dir, "memory.bin") };
    await loadSnapshot(
      api,
      { ...spec, network: { ...spec.network, tap: "tap7" } },
      { ...paths, vsock: join(dir, "v2.sock") },
      files,
      5000,
    );
    const load = fake.calls.find((c) => c.path === "/snapshot/load");
    assert.equal(load?.status, 204);
    assert.deepEqual(load?.body, {
      snapshot_path: files.state,
      mem_backend: { backend_type: "File", backend_path: files.memory },
      resume_vm: true,
      network_overrides: [{ iface_id: "eth0", host_dev_name: "tap7" }],
      vsock_override: { uds_path: join(dir, "v2.sock") },
    });
    assert.equal(fake.state, "Running");
  });

  it("surfaces Firecracker's 400 fault_message for requests it rejects", async () => {
    const { api } = await start("faults");
    const fault = (re: RegExp) => (e: unknown) =>
      e instanceof FirecrackerApiError && e.status === 400 && re.test(e.fault);
    await assert.rejects(api.patchVm({ state: "Paused" }), fault(/before starting/));
    await assert.rejects(
      api.call("PUT", "/machine-config", { vcpu_count: 1 }),
      fault(/missing field `mem_size_mib`/),
    );
    await assert.rejects(
      api.call("PUT", "/machine-config", { vcpu_count: "2", mem_size_mib: 128 }),
      fault(/invalid type/),
    );
    await assert.rejects(
      api.call("PUT", "/vsock", { guest_cid: 3, uds_path: "/x", cid: 3 }),
      fault(/unknown field `cid`/),
    );
    await assert.rejects(
      api.call("PUT", "/drives/a", { drive_id: "b", path_on_host: "/x", is_root_device: true }),
      fault(/does not match/),
    );
    await assert.rejects(api.call("PUT", "/nope", {}), fault(/Invalid request method/));
    await assert.rejects(
      api.putBootSource({ kernel_image_path: join(dir, "nope") }),
      fault(/Cannot open kernel_image_path/),
    );
    await api.putBootSource({ kernel_image_path: spec.kernel });
    await assert.rejects(
      loadSnapshot(
        api,
        spec,
        paths,
        { state: join(dir, "vmstate.bin"), memory: join(dir, "memory.bin") },
        5000,
      ),
      fault(/not allowed after configuring/),
    );
    await api.action({ action_type: "InstanceStart" });
    await assert.rejects(api.putMachineConfig({ vcpu_count: 1, mem_size_mib: 128 }), fault(/after starting/));
    await assert.rejects(
      api.createSnapshot({ snapshot_path: "/s", mem_file_path: "/m" }),
      fault(/not paused/),
    );
  });

  it("rejects loading a snapshot that is not one", async () => {
    const { api } = await start("corrupt");
    const bogus = join(dir, "memory.bin"); // exists, but is no vmstate
    await assert.rejects(
      loadSnapshot(api, spec, paths, { state: bogus, memory: bogus }, 5000),
      (e) => e instanceof FirecrackerApiError && /Cannot deserialize/.test(e.fault),
    );
  });
});
