/**
 * A tile's throughput in words: arrows for the room (→ toward AVS, ← back toward the source
 * site), whole words for a screen reader. Pure, so both are tested.
 */
import { formatBitRate } from "@/lib/charts/describe";

export type TileThroughput = { toAvsBps: number | null; fromAvsBps: number | null } | null;

/** "→ 12.0 Mbit/s ← 950 kbit/s"; null when neither way is known. */
export function tileThroughputText(throughput: TileThroughput): string | null {
  const parts = directions(throughput).map(([arrow, , bps]) => `${arrow} ${formatBitRate(bps)}`);
  return parts.length > 0 ? parts.join(" ") : null;
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
