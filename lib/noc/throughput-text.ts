/**
 * A tile's throughput in words: arrows for the room (→ toward AVS, ← back toward the source
 * site), whole words for a screen reader. Pure, so both are tested.
 */
import { formatBitRate } from "@/lib/charts/describe";

export type TileThroughput = { toAvsBps: number | null; fromAvsBps: number | null } | null;

/** "→ 12.0 Mbit/s ← 950 kbit/s", or "→ 7.00 ← 3.50 Mbit/s" when both ways share a unit; null when neither way is known. */
export function tileThroughputText(throughput: TileThroughput): string | null {
  const parts = directions(throughput).map(([arrow, , bps]) => {
    const [value, unit] = formatBitRate(bps).split(" ");
    return { arrow, value: value!, unit: unit! };
  });
  if (parts.length === 0) return null;
  if (parts.length === 2 && parts[0]!.unit === parts[1]!.unit) return `${parts[0]!.arrow} ${parts[0]!.value} ${parts[1]!.arrow} ${parts[1]!.value} ${parts[1]!.unit}`;
  return parts.map((p) => `${p.arrow} ${p.value} ${p.unit}`).join(" ");
}

/** "throughput toward AVS 12.0 Mbit/s, back 950 kbit/s"; null when neither way is known. */
export function tileThroughputSpoken(throughput: TileThroughput): string | null {
  const parts = directions(throughput).map(([, words, bps]) => `${words} ${formatBitRate(bps)}`);
  return parts.length > 0 ? `throughput ${parts.join(", ")}` : null;
}

function directions(throughput: TileThroughput): [string, string, number][] {
  if (!throughput) return [];
  const ways: [string, string, number | null][] = [
    ["→", "toward AVS", throughput.toAvsBps],
    ["←", "back", throughput.fromAvsBps],
  ];
  return ways.filter((way): way is [string, string, number] => way[2] !== null && Number.isFinite(way[2]));
}
