import { describe, expect, it } from "vitest";
import { parseCidr, type Cidr } from "./cidr";
import { describeConflicts, findAddressConflicts, PLATFORM_RESERVED_RANGES, reservedSpaceOf, type AdminRange } from "./reserved-space";

const cidr = (text: string): Cidr => {
  const parsed = parseCidr(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.cidr;
};

const cloud = { name: "avs-weu-01", networkBlock: "10.120.8.0/22", extendedNetworkBlocks: ["10.121.0.0/22"] };
const onPrem: AdminRange = { id: "r1", cidr: "10.50.0.0/16", reason: "Head office LAN", privateCloudId: null, addedBy: "admin@bridgehead.example", addedAt: new Date(0) };
const space = { reserved: reservedSpaceOf(cloud, [onPrem]), tenants: [{ name: "Contoso", subnet: "192.168.10.0/24" }] };

describe("the platform's reserved ranges", () => {
  it("are each written as the canonical network, with a reason", () => {
    for (const range of PLATFORM_RESERVED_RANGES) {
      expect(parseCidr(range.cidr)).toMatchObject({ ok: true, cidr: { canonical: range.cidr } });
      expect(range.reason.length).toBeGreaterThan(40);
    }
  });
});

describe("reservedSpaceOf", () => {
  it("lists the cloud's /22 and extended blocks, the platform's ranges and the admins', in that order", () => {
    const list = reservedSpaceOf(cloud, [onPrem]);
    expect(list.map((r) => [r.kind, r.cidr])).toEqual([
      ["management", "10.120.8.0/22"],
      ["extended", "10.121.0.0/22"],
      ["platform", "100.64.0.0/10"],
      ["platform", "169.254.0.0/16"],
      ["platform", "172.17.0.0/16"],
      ["platform", "168.63.129.16/32"],
      ["admin", "10.50.0.0/16"],
    ]);
    expect(list.at(-1)).toMatchObject({ label: "reserved range “Head office LAN”", admin: { id: "r1", scope: "all", addedBy: "admin@bridgehead.example" } });
  });
});

describe("findAddressConflicts", () => {
  it.each([
    ["NSX-T's default Tier-0/Tier-1 transit subnet", "100.64.0.0/16", "NSX-T transit and CGNAT space", "100.64.0.0/10"],
    ["the top of the CGNAT block", "100.127.255.0/24", "NSX-T transit and CGNAT space", "100.64.0.0/10"],
    ["a block wider than the CGNAT space", "100.0.0.0/8", "NSX-T transit and CGNAT space", "100.64.0.0/10"],
    ["AVS's internal 172.17.0.0/16", "172.17.20.0/24", "AVS internal range", "172.17.0.0/16"],
    ["Azure's platform address", "168.63.129.0/24", "Azure platform address", "168.63.129.16/32"],
    ["the private cloud's /22", "10.120.10.0/24", "avs-weu-01's management block", "10.120.8.0/22"],
    ["an extended block", "10.121.0.0/16", "avs-weu-01's extended block", "10.121.0.0/22"],
    ["an admin's range", "10.50.7.0/24", "reserved range “Head office LAN”", "10.50.0.0/16"],
    ["another tenant", "192.168.10.128/25", "tenant Contoso", "192.168.10.0/24"],
  ])("finds %s", (_, subnet, label, range) => {
    expect(findAddressConflicts(cidr(subnet), space)).toEqual([expect.objectContaining({ label, cidr: range })]);
  });

  it.each(["100.63.255.0/24", "100.128.0.0/24", "172.16.5.0/24", "172.18.0.0/24", "10.120.12.0/24", "192.168.11.0/24", "2001:db8:10::/48"])(
    "lets %s through",
    (subnet) => {
      expect(findAddressConflicts(cidr(subnet), space)).toEqual([]);
    },
  );

  it("names every range a wide subnet overlaps, and says what to do", () => {
    const conflicts = findAddressConflicts(cidr("10.0.0.0/8"), space);
    expect(conflicts.map((c) => c.kind)).toEqual(["management", "extended", "admin"]);
    expect(describeConflicts("10.0.0.0/8", conflicts)).toBe(
      "10.0.0.0/8 overlaps avs-weu-01's management block (10.120.8.0/22), avs-weu-01's extended block (10.121.0.0/22), " +
        "reserved range “Head office LAN” (10.50.0.0/16). Choose a subnet that overlaps nothing in this private cloud.",
    );
  });
});
