import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { createNetworkManager, NetworkError, type NetworkManager, type NetworkSlot } from "./index.js";
import {
  AGENT_PORT,
  createTestNet,
  ENVD,
  INET_IP,
  INET_PORT,
  sh,
  type TestNet,
  UPLINK_IP,
} from "./testnet.test-helper.js";

// Runs as root. Every address here lives in namespaces this test creates (NETWORK SAFETY): the
// manager's "host" is net.hostNs, never the machine's own namespace.
describe("network manager in a test-owned host netns", () => {
  let net: TestNet;
  let mgr: NetworkManager;
  const managers: NetworkManager[] = [];
  const bgErrors: NetworkError[] = [];
  const open = async (extra: { poolSize?: number; baseCidr?: string; stateDir?: string } = {}) => {
    const m = await createNetworkManager({
      stateDir: net.stateDir,
      prefix: net.prefix,
      hostNetns: net.hostNs,
      poolSize: 0,
      onBackgroundError: (e) => bgErrors.push(e),
      ...extra,
    });
    managers.push(m);
    return m;
  };
  const ourNetns = async () =>
    (await sh("ip", "netns", "list"))
      .split("\n")
      .map((l) => l.split(" ")[0] ?? "")
      .filter((n) => new RegExp(`^${net.prefix}-[0-9a-f]{8}$`).test(n))
      .sort();
  const hostVeths = async () =>
    (await sh("ip", "-n", net.hostNs, "-o", "link")).match(/veth-[0-9a-f]{8}/g) ?? [];
  const hostTable = () => sh("ip", "netns", "exec", net.hostNs, "nft", "list", "table", "inet", "wrenn");
  const stateSlots = async (dir = net.stateDir) =>
    Object.keys(JSON.parse(await readFile(join(dir, "network.json"), "utf8")).slots);
  const assertClean = async (dir?: string) => {
    assert.deepEqual(await ourNetns(), []);
    assert.deepEqual(await hostVeths(), []);
    const table = await hostTable();
    assert.doesNotMatch(table, /egress_|veth-/);
    assert.deepEqual(await stateSlots(dir), []);
  };

  before(async () => {
    net = await createTestNet();
    mgr = await open({ poolSize: 2 });
  });
  after(async () => {
    for (const m of managers) await m.close().catch(() => {});
    await net?.cleanup();
  });

  let a: NetworkSlot;
  let guestA: string;
  let b: NetworkSlot;
  let guestB: string;

  it("keeps a pool of ready slots and hands one out on acquire", async () => {
    await mgr.idle();
    assert.equal((await ourNetns()).length, 2);
    const t0 = performance.now();
    a = await mgr.acquire({ sandboxId: "sb-aaaaaaaa" });
    assert.ok(performance.now() - t0 < 500, "a pooled acquire is instant");
    assert.equal(a.fixedGuestIp, "169.254.0.21");
    assert.equal(a.tapIp, "169.254.0.22");
    assert.match(a.sandboxIp, /^10\.0\.\d+\.\d+$/);
    assert.equal(a.netns, `${net.prefix}-${a.id}`);
    assert.equal(mgr.slotFor("sb-aaaaaaaa")?.id, a.id);
    assert.equal((await mgr.acquire({ sandboxId: "sb-aaaaaaaa" })).id, a.id, "acquire is idempotent");
    guestA = await net.attachFakeGuest(a);
  });

  it("lets the guest reach the internet through NAT and the host reach envd", async () => {
    assert.equal(await net.probe(guestA, INET_IP, INET_PORT), `inet ${UPLINK_IP}`); // MASQUERADE
    assert.equal(await net.probe(net.hostNs, a.sandboxIp, ENVD), `envd-${a.id} ${a.hostIp}`);
  });

  it("isolates the guest from the host and from other sandboxes", async () => {
    b = await mgr.acquire({ sandboxId: "sb-bbbbbbbb" });
    assert.notEqual(b.sandboxIp, a.sandboxIp);
    guestB = await net.attachFakeGuest(b);
    assert.equal(await net.probe(net.hostNs, b.sandboxIp, ENVD), `envd-${b.id} ${b.hostIp}`);
    const blocked = await Promise.all([
      net.probe(guestA, a.hostIp, AGENT_PORT, 1000),
      net.probe(guestA, UPLINK_IP, AGENT_PORT, 1000),
      net.probe(guestA, b.sandboxIp, ENVD, 1000),
      net.probe(guestA, b.hostIp, AGENT_PORT, 1000),
      net.probe(guestB, a.sandboxIp, ENVD, 1000),
      net.probe(guestA, a.tapIp, AGENT_PORT, 1000),
    ]);
    for (const r of blocked) assert.match(r, /^ERR/);
    assert.equal(await net.probe(net.hostNs, "127.0.0.1", AGENT_PORT), "agent 127.0.0.1");
  });

  it("enforces egress policy: deny, allow, deny-over-allow, block all", async () => {
    const reach = () => net.probe(guestA, INET_IP, INET_PORT, 1000);
    const cases: [Parameters<NetworkManager["applyEgress"]>[1], boolean][] = [
      [{ denyCidrs: ["192.0.2.2/32"] }, false],
      [{ allowCidrs: ["198.51.100.0/24"] }, false],
      [{ allowCidrs: ["192.0.2.0/24", "198.51.100.7"] }, true],
      [{ allowCidrs: ["192.0.2.0/24"], denyCidrs: ["192.0.2.2"] }, false],
      [{ blockAll: true }, false],
      [{}, true],
    ];
    for (const [policy, ok] of cases) {
      const slot = await mgr.applyEgress(a, policy);
      const got = await reach();
      assert.equal(got.startsWith("inet "), ok, `${JSON.stringify(policy)} → ${got}`);
      // Policy limits the guest's own connections only: the host still reaches envd.
      assert.equal(await net.probe(net.hostNs, slot.sandboxIp, ENVD), `envd-${a.id} ${a.hostIp}`);
    }
    assert.equal(await net.probe(guestB, INET_IP, INET_PORT), `inet ${UPLINK_IP}`, "B unaffected");
  });

  it("rejects invalid CIDRs before creating anything", async () => {
    await mgr.idle();
    const before = [await ourNetns(), await stateSlots()];
    for (const egress of [
      { denyCidrs: ["10.0.0.0/33"] },
      { allowCidrs: ["example.com"] },
      { denyCidrs: ["1.2.3"] },
    ]) {
      await assert.rejects(
        mgr.acquire({ sandboxId: "sb-cccccccc", egress }),
        (e) => e instanceof NetworkError && e.code === "invalid_cidr",
      );
    }
    await assert.rejects(
      mgr.applyEgress(a, { allowCidrs: ["300.1.1.1/8"] }),
      (e) => e instanceof NetworkError && e.code === "invalid_cidr",
    );
    assert.deepEqual([await ourNetns(), await stateSlots()], before);
    assert.equal(mgr.slotFor("sb-cccccccc"), undefined);
  });

  it("gives ≥5 concurrent acquires distinct /30s", async () => {
    const ids = ["sb-11111111", "sb-22222222", "sb-33333333", "sb-44444444", "sb-55555555", "sb-66666666"];
    const slots = await Promise.all(ids.map((sandboxId) => mgr.acquire({ sandboxId })));
    const all = [a, b, ...slots];
    assert.equal(new Set(all.map((s) => s.sandboxIp)).size, all.length);
    assert.equal(new Set(all.map((s) => s.netns)).size, all.length);
    const names = await ourNetns();
    for (const s of all) assert.ok(names.includes(s.netns));
    await Promise.all(slots.map((s) => mgr.release(s)));
  });

  it("release and close leave no netns, veth, rules or allocations", async () => {
    await mgr.release(a);
    await mgr.release(b.id);
    await mgr.release(b.id); // idempotent
    await mgr.close();
    await assertClean();
    await assert.rejects(
      mgr.acquire({ sandboxId: "sb-dddddddd" }),
      (e) => e instanceof NetworkError && e.code === "closed",
    );
    assert.deepEqual(bgErrors, []);
  });

  it("persists allocations across managers and reconciles after a crash", async () => {
    const m1 = await open();
    const x = await m1.acquire({ sandboxId: "sb-xxxxxxxx", egress: { blockAll: true } });
    const y = await m1.acquire({ sandboxId: "sb-yyyyyyyy" });
    // m1 "crashes": never closed. Also leave a stray netns and host veth behind, as a cut-short create would.
    await sh("ip", "netns", "add", `${net.prefix}-deadbeef`);
    await sh(
      "ip",
      "-n",
      net.hostNs,
      "link",
      "add",
      "veth-0badf00d",
      "type",
      "veth",
      "peer",
      "name",
      "p0badf00d",
    );
    await sh("ip", "-n", net.hostNs, "link", "set", "veth-0badf00d", "alias", `wrenn:${net.prefix}`);

    const m2 = await open();
    assert.deepEqual(m2.slotFor("sb-xxxxxxxx"), x);
    const z = await m2.acquire({ sandboxId: "sb-zzzzzzzz" });
    assert.ok(![x.index, y.index].includes(z.index), "no reuse of a /30 in use");
    const report = await m2.reconcile(["sb-xxxxxxxx", "sb-zzzzzzzz"]);
    assert.deepEqual(report, { slots: [y.id], netns: [`${net.prefix}-deadbeef`], links: ["veth-0badf00d"] });
    assert.equal(m2.slotFor("sb-yyyyyyyy"), undefined);
    assert.deepEqual(await ourNetns(), [x.netns, z.netns].sort());
    assert.match(await hostTable(), new RegExp(`egress_${x.id}[^}]*drop`));
    await m2.release(x);
    await m2.release(z);
    await assertClean();
  });

  it("removes everything a failed acquire created", async () => {
    const dir = join(net.stateDir, "failing");
    const doomed = `${net.prefix}doomed`;
    await sh("ip", "netns", "add", doomed);
    const m = await createNetworkManager({
      stateDir: dir,
      prefix: net.prefix,
      hostNetns: doomed,
      poolSize: 0,
    });
    managers.push(m);
    await sh("ip", "netns", "del", doomed); // the host side now fails half-way through a create
    await assert.rejects(
      m.acquire({ sandboxId: "sb-ffffffff" }),
      (e) =>
        e instanceof NetworkError &&
        e.code === "command_failed" &&
        /Cannot open network namespace/.test(e.message),
    );
    assert.deepEqual(await ourNetns(), []);
    assert.deepEqual(await stateSlots(dir), []);
    assert.equal(m.slotFor("sb-ffffffff"), undefined);
  });

  it("fails with exhausted when the base CIDR is full, creating nothing", async () => {
    const dir = join(net.stateDir, "small");
    const m = await open({ baseCidr: "10.9.0.0/29", stateDir: dir });
    const s1 = await m.acquire({ sandboxId: "sb-e1" });
    const s2 = await m.acquire({ sandboxId: "sb-e2" });
    assert.deepEqual([s1.sandboxIp, s2.sandboxIp].sort(), ["10.9.0.2", "10.9.0.6"]);
    await assert.rejects(
      m.acquire({ sandboxId: "sb-e3" }),
      (e) => e instanceof NetworkError && e.code === "exhausted",
    );
    assert.equal((await ourNetns()).length, 2);
    await m.release(s1);
    await m.release(s2);
    await assertClean(dir);
  });
});
