import { open } from "node:fs/promises";

/** tailFileLine returns the last non-empty line of a (console) log, "" when unreadable. */
export async function tailFileLine(path: string): Promise<string> {
  try {
    const fh = await open(path, "r");
    try {
      const { size } = await fh.stat();
      const len = Math.min(size, 4096);
      const buf = Buffer.alloc(len);
      await fh.read(buf, 0, len, size - len);
      const lines = buf
        .toString("utf8")
        .split("\n")
        .map((l) => l.trim());
      return (
        lines
          .filter((l) => l !== "")
          .at(-1)
          ?.slice(0, 300) ?? ""
      );
    } finally {
      await fh.close();
    }
  } catch {
    return "";
  }
}
