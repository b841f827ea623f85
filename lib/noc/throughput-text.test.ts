import { describe, expect, it } from "vitest";
import { tileThroughputSpoken, tileThroughputText } from "./throughput-text";

describe("a tile's throughput in words", () => {
  it("gives each way in its own unit, toward AVS first", () => {
    const throughput = { toAvsBps: 12_000_000, fromAvsBps: 950_000 };
    expect(tileThroughputText(throughput)).toBe("→ 12.0 Mbit/s ← 950 kbit/s");
    expect(tileThroughputSpoken(throughput)).toBe("throughput toward AVS 12.0 Mbit/s, back 950 kbit/s");
  });

  it("names a unit both ways share once", () => {
    expect(tileThroughputText({ toAvsBps: 7_000_000, fromAvsBps: 3_500_000 })).toBe("→ 7.00 ← 3.50 Mbit/s");
  });

  it("says only the way it knows, and nothing when it knows neither", () => {
    expect(tileThroughputText({ toAvsBps: null, fromAvsBps: 0 })).toBe("← 0.00 bit/s");
    expect(tileThroughputText({ toAvsBps: null, fromAvsBps: null })).toBeNull();
    expect(tileThroughputSpoken(null)).toBeNull();
  });
});
