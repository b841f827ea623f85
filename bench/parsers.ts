/**
 * Hostile input to the parsers every form and API value goes through: a megabyte where a CIDR
 * or a VLAN list belongs must be refused at the cost of an ordinary value, without being read.
 * (These were wall-clock assertions in the unit tests, which a loaded machine can break.)
 */
import { parseCidr } from "@/lib/domain/cidr";
import { parseVlanRanges } from "@/lib/domain/vlan";
import { microsPerCall, SLICES } from "./timing";

const MEGABYTE_CIDR = `10.0.0.0/8${"0".repeat(1_000_000)}`;
const MEGABYTE_VLANS = "1,".repeat(500_000);

export async function benchParsers(): Promise<string> {
  const rows: [string, number, number][] = [
    ["parseCidr", await microsPerCall(() => parseCidr("192.168.40.0/24")), await microsPerCall(() => parseCidr(MEGABYTE_CIDR))],
    ["parseVlanRanges", await microsPerCall(() => parseVlanRanges("100-199, 300, 3000-3099")), await microsPerCall(() => parseVlanRanges(MEGABYTE_VLANS))],
  ];
  return [
    `µs per call, median of ${SLICES} timed slices. A refused megabyte should cost about what an ordinary value does.`,
    "",
    "| parser | ordinary value | 1 MB of hostile input | hostile ÷ ordinary |",
    "| --- | ---: | ---: | ---: |",
    ...rows.map(([name, ordinary, hostile]) => `| \`${name}\` | ${ordinary.toFixed(2)} | ${hostile.toFixed(2)} | ${(hostile / ordinary).toFixed(2)}× |`),
  ].join("\n");
}
