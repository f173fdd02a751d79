import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { VmSpec } from "./driver.js";
import { diffFingerprints, fingerprint } from "./fingerprint.js";

describe("machine fingerprint", () => {
  it("ignores paths but catches size, memory, MAC and kernel content changes", async () => {
    const dir = await mkdtemp(join(tmpdir(), "fp-"));
    try {
      await writeFile(join(dir, "k1"), "kernel");
      await writeFile(join(dir, "k2"), "kernel");
      await writeFile(join(dir, "k3"), "kernex");
      await writeFile(join(dir, "disk"), Buffer.alloc(4096));
      const spec: VmSpec = {
        id: "a",
        kernel: join(dir, "k1"),
        rootfs: join(dir, "disk"),
        vcpus: 1,
        memMiB: 256,
        network: { netns: "n", tap: "t", mac: "52:54:00:00:00:02", guestIp: "10.0.0.2" },
        stateDir: dir,
      };
      const base = await fingerprint(spec, "m");
      assert.deepEqual(
        diffFingerprints(base, await fingerprint({ ...spec, kernel: join(dir, "k2") }, "m")),
        [],
      );
      const changed = await fingerprint(
        {
          ...spec,
          kernel: join(dir, "k3"),
          memMiB: 512,
          network: { ...spec.network, mac: "52:54:00:00:00:03" },
        },
        "m",
      );
      const diffs = diffFingerprints(base, changed).map((d) => d.split(":")[0]);
      assert.deepEqual(diffs.sort(), ["kernel", "mac", "memMiB"]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
