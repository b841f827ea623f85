import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { importTenantsInput, MAX_IMPORT_FILE_BYTES } from "./tenant-import";

/** Next's size strings ("1mb") as its `bytes` parser reads them: binary units. */
function bytesOf(limit: string | number): number {
  if (typeof limit === "number") return limit;
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(limit.trim());
  if (!match) throw new Error(`not a size: ${limit}`);
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[match[2]!.toLowerCase() as "b" | "kb" | "mb" | "gb"];
  return Math.floor(Number(match[1]) * unit);
}

describe("the import form's file limit", () => {
  it("fits, with room for the form's other fields, in the server action body limit Next enforces", () => {
    const config = createRequire(import.meta.url)(path.resolve("next.config.js")) as { experimental?: { serverActions?: { bodySizeLimit?: string | number } } };
    const limit = bytesOf(config.experimental?.serverActions?.bodySizeLimit ?? "1mb");
    expect(MAX_IMPORT_FILE_BYTES + 64 * 1024).toBeLessThanOrEqual(limit);
  });

  it("accepts a file at the limit and refuses one a byte over, saying the limit", () => {
    const at = importTenantsInput.safeParse({ file: new Blob(["x".repeat(MAX_IMPORT_FILE_BYTES)]), mode: "dry-run" });
    expect(at.success).toBe(true);
    const over = importTenantsInput.safeParse({ file: new Blob(["x".repeat(MAX_IMPORT_FILE_BYTES + 1)]), mode: "dry-run" });
    expect(over.success).toBe(false);
    expect(over.error?.issues[0]?.message).toBe("At most 960 KB (1000 rows) at a time.");
  });
});
