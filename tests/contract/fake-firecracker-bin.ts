// Executable wrapper around the FAKE Firecracker API server (see fake-firecracker.ts) so the real
// FirecrackerDriver can spawn it like the firecracker binary: `--api-sock <path> --id <id>`.
// Every request is appended to `<api-sock>.calls.jsonl`. SendCtrlAltDel or SIGTERM ends it.
// Under the fake jailer, FAKE_FC_CHROOT holds the jail root that chroot-relative paths refer to.
import { FakeFirecracker } from "./fake-firecracker.js";

const arg = (name: string) => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const chroot = process.env.FAKE_FC_CHROOT;
const sock = chroot ? `${chroot}${arg("--api-sock")}` : arg("--api-sock");
if (!sock) {
  console.error("fake firecracker: --api-sock is required");
  process.exit(1);
}
const fake = new FakeFirecracker(sock, {
  id: arg("--id"),
  callLog: `${sock}.calls.jsonl`,
  onCtrlAltDel: () => process.exit(0),
  ...(chroot ? { chroot } : {}),
});
process.on("SIGTERM", () => process.exit(0));
await fake.listen();
console.log(`fake firecracker listening on ${sock}`);
