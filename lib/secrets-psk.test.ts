/**
 * The keys the console issues are text every platform reads as text: swanctl (and VyOS, which
 * writes its key into swanctl as it stands) decodes a value starting "0x" as hex and "0s" as
 * base64, so such a key would be other bytes at one end than at the other.
 */
import { describe, expect, it } from "vitest";
import { PSK_READ_AS_ENCODING } from "@/lib/gateway/ipsec";
import { PSK } from "@/lib/gateway/context";
import { newPresharedKey } from "./secrets";

/** Bytes whose base64 starts with the given 4-character prefix, then zero bytes. */
const bytesStarting = (base64Prefix: string) => {
  const head = Buffer.from(base64Prefix, "base64");
  return Uint8Array.from([...head, ...new Array<number>(32 - head.length).fill(0)]);
};

describe("newPresharedKey", () => {
  it("draws again when the text would start 0x or 0s, in either case", () => {
    const draws = [bytesStarting("0sAA"), bytesStarting("0XAA"), bytesStarting("0xAA"), bytesStarting("0SAA"), bytesStarting("0aAA")];
    expect(draws.map((bytes) => Buffer.from(bytes).toString("base64").slice(0, 2))).toEqual(["0s", "0X", "0x", "0S", "0a"]);
    let next = 0;
    const key = newPresharedKey(() => draws[next++]!);
    expect(next).toBe(5);
    expect(key.startsWith("0a")).toBe(true);
    expect(key).toMatch(PSK);
  });

  it("keeps the first draw when it reads as text", () => {
    let calls = 0;
    const key = newPresharedKey(() => (calls++, bytesStarting("c2Vj")));
    expect([calls, key.slice(0, 4)]).toEqual([1, "c2Vj"]);
    expect(PSK_READ_AS_ENCODING.test(key)).toBe(false);
  });
});
