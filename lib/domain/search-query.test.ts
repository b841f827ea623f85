import { describe, expect, it } from "vitest";
import { describeNetworkMatch, isSearchable, likeContaining, normaliseMac, parseSearchQuery, subnetContains } from "./search-query";

describe("parseSearchQuery", () => {
  it("reads an IPv4 address, and keeps it as text for names", () => {
    const query = parseSearchQuery("  192.168.10.57 ");
    expect(query.address).toEqual({ family: "ipv4", canonical: "192.168.10.57" });
    expect(query.text).toBe("192.168.10.57");
    expect(query.mac).toBeNull();
    expect(query.vlan).toBeNull();
  });

  it("reads IPv6 in any spelling as its RFC 5952 form, the one underlay columns store", () => {
    expect(parseSearchQuery("2001:DB8:0:0:0:0:0:1").address).toEqual({ family: "ipv6", canonical: "2001:db8::1" });
    expect(parseSearchQuery("2001:db8:10::5").address).toEqual({ family: "ipv6", canonical: "2001:db8:10::5" });
  });

  it("reads an IPv4-mapped IPv6 address as the IPv4 address it carries", () => {
    expect(parseSearchQuery("::ffff:198.51.100.10").address).toEqual({ family: "ipv4", canonical: "198.51.100.10" });
  });

  it("leaves half-typed, octal-looking, zoned and out-of-range addresses as text", () => {
    for (const text of ["192.168.10", "010.0.0.1", "256.1.1.1", "fe80::1%eth0", "2001:db8::g", "1.2.3.4.5"]) {
      const query = parseSearchQuery(text);
      expect(query.address, text).toBeNull();
      expect(query.text, text).toBe(text);
    }
  });

  it("reads a network, or a host with its mask, as the network to overlap", () => {
    expect(parseSearchQuery("192.168.10.0/24").network).toEqual({ family: "ipv4", canonical: "192.168.10.0/24" });
    expect(parseSearchQuery("192.168.10.7/24").network).toEqual({ family: "ipv4", canonical: "192.168.10.0/24" });
    expect(parseSearchQuery("2001:db8:10:0:0:0:0:1/48").network).toEqual({ family: "ipv6", canonical: "2001:db8:10::/48" });
    expect(parseSearchQuery("192.168.10.0/33").network).toBeNull();
    expect(parseSearchQuery("192.168.10.0/024x").network).toBeNull();
    // A network is not an address: only a single host is matched against subnets with >>=.
    expect(parseSearchQuery("192.168.10.0/24").address).toBeNull();
  });

  it("reads a VLAN and a VNI from a whole number in their ranges", () => {
    expect(parseSearchQuery("110")).toMatchObject({ vlan: 110, vni: 110 });
    expect(parseSearchQuery("10110")).toMatchObject({ vlan: null, vni: 10110 });
    expect(parseSearchQuery("4094")).toMatchObject({ vlan: 4094 });
    expect(parseSearchQuery("4095")).toMatchObject({ vlan: null, vni: 4095 });
    expect(parseSearchQuery("16777215")).toMatchObject({ vni: 16_777_215 });
    expect(parseSearchQuery("16777216")).toMatchObject({ vlan: null, vni: null });
    expect(parseSearchQuery("0")).toMatchObject({ vlan: null, vni: null });
    expect(parseSearchQuery("-5")).toMatchObject({ vlan: null, vni: null, text: "-5" });
    expect(parseSearchQuery("1e3")).toMatchObject({ vlan: null, vni: null });
  });

  it("keeps plain text as text, cut to a bounded length", () => {
    expect(parseSearchQuery("Contoso")).toEqual({ text: "Contoso", address: null, network: null, mac: null, vlan: null, vni: null });
    expect(parseSearchQuery("x".repeat(5000)).text).toHaveLength(100);
  });

  it("asks nothing for an empty box or a single letter, but a single digit is a VLAN", () => {
    expect(isSearchable(parseSearchQuery("   "))).toBe(false);
    expect(isSearchable(parseSearchQuery("c"))).toBe(false);
    expect(isSearchable(parseSearchQuery("co"))).toBe(true);
    expect(isSearchable(parseSearchQuery("7"))).toBe(true);
  });
});

describe("normaliseMac", () => {
  it("reads the spellings switches and hosts print as the agents' lower-case colon form", () => {
    const canonical = "00:50:56:ab:cd:ef";
    for (const text of ["00:50:56:ab:cd:ef", "00:50:56:AB:CD:EF", "00-50-56-AB-CD-EF", "0050.56ab.cdef", "0050.56AB.CDEF", "005056abcdef", " 00:50:56:ab:cd:ef "]) {
      expect(normaliseMac(text), text).toBe(canonical);
      expect(parseSearchQuery(text).mac, text).toBe(canonical);
    }
  });

  it("refuses partial, mixed and over-long forms: a MAC search is exact", () => {
    for (const text of ["00:50:56:ab:cd", "00:50:56:ab:cd:ef:01", "00:50-56:ab:cd:ef", "0050.56ab.cde", "00:50:56:ab:cd:eg", "0050:56ab:cdef", "005056abcdef0"]) {
      expect(normaliseMac(text), text).toBeNull();
    }
  });
});

describe("subnetContains", () => {
  it("finds an IPv4 host inside its subnet and not next to it", () => {
    expect(subnetContains("192.168.10.0/24", "192.168.10.57")).toBe(true);
    expect(subnetContains("192.168.10.0/24", "192.168.10.0")).toBe(true);
    expect(subnetContains("192.168.10.0/24", "192.168.10.255")).toBe(true);
    expect(subnetContains("192.168.10.0/24", "192.168.11.1")).toBe(false);
    expect(subnetContains("10.32.0.0/23", "10.32.1.200")).toBe(true);
    expect(subnetContains("10.32.0.0/23", "10.32.2.1")).toBe(false);
  });

  it("finds an IPv6 host inside its subnet and not next to it", () => {
    expect(subnetContains("2001:db8:10::/48", "2001:db8:10:ffff::1")).toBe(true);
    expect(subnetContains("2001:db8:10::/48", "2001:db8:11::1")).toBe(false);
  });

  it("never matches across families or on garbage", () => {
    expect(subnetContains("192.168.10.0/24", "::ffff:192.168.10.5")).toBe(true);
    expect(subnetContains("2001:db8::/32", "192.168.10.5")).toBe(false);
    expect(subnetContains("192.168.10.0/24", "2001:db8::1")).toBe(false);
    expect(subnetContains("not a subnet", "192.168.10.5")).toBe(false);
    expect(subnetContains("192.168.10.0/24", "contoso")).toBe(false);
  });
});

describe("describeNetworkMatch", () => {
  const contoso = { subnet: "192.168.10.0/24", vlanId: 110, vni: 10110 };

  it("says which fact matched", () => {
    expect(describeNetworkMatch(parseSearchQuery("192.168.10.57"), contoso)).toBe("192.168.10.57 is in 192.168.10.0/24");
    expect(describeNetworkMatch(parseSearchQuery("192.168.0.0/16"), contoso)).toBe("192.168.10.0/24 overlaps 192.168.0.0/16");
    expect(describeNetworkMatch(parseSearchQuery("110"), contoso)).toBe("VLAN 110");
    expect(describeNetworkMatch(parseSearchQuery("10110"), contoso)).toBe("VNI 10110");
    expect(describeNetworkMatch(parseSearchQuery("192.168.11.1"), contoso)).toBe("");
    expect(describeNetworkMatch(parseSearchQuery("110"), { ...contoso, vlanId: null, vni: null })).toBe("");
  });
});

describe("likeContaining", () => {
  it("escapes LIKE's wildcards so they match themselves", () => {
    expect(likeContaining("gw")).toBe("%gw%");
    expect(likeContaining("50%_a\\b")).toBe("%50\\%\\_a\\\\b%");
  });
});
