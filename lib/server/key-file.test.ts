import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { KEY_BYTES, loadKey } from "./key-file";

const dirs: string[] = [];
const tempDir = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bh-key-"));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe("loadKey", () => {
  it("makes a random key once, readable by the console's user only, and returns the same one afterwards", () => {
    const file = path.join(tempDir(), "secrets", "test.key");
    const source = { secret: undefined, purpose: "test", file, whenDamaged: "Delete it." };
    const first = loadKey(source);
    expect(first).toHaveLength(KEY_BYTES);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(Buffer.from(loadKey(source)).equals(Buffer.from(first))).toBe(true);
  });

  it("derives the same key from the same secret on every instance, and another one for another purpose", () => {
    const file = path.join(tempDir(), "unused.key");
    const sessions = loadKey({ secret: "s".repeat(40), purpose: "session", file, whenDamaged: "" });
    expect(Buffer.from(loadKey({ secret: "s".repeat(40), purpose: "session", file, whenDamaged: "" })).equals(Buffer.from(sessions))).toBe(true);
    expect(Buffer.from(loadKey({ secret: "s".repeat(40), purpose: "secrets", file, whenDamaged: "" })).equals(Buffer.from(sessions))).toBe(false);
    expect(fs.existsSync(file)).toBe(false);
  });

  it("refuses a file that is not a key, saying what to do", () => {
    const file = path.join(tempDir(), "damaged.key");
    fs.writeFileSync(file, "not a key");
    expect(() => loadKey({ secret: undefined, purpose: "test", file, whenDamaged: "Restore it from backup." })).toThrow(
      `${file} is not a 32-byte key. Restore it from backup.`,
    );
  });
});
