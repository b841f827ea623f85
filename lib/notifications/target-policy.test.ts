import { describe, expect, it } from "vitest";
import { checkHost, parseTargetUrl, refuseAddress, TargetRefusedError, type TargetPolicy } from "./target-policy";

const strict: TargetPolicy = { allowLoopback: false, allowedHosts: new Set() };
const embedded: TargetPolicy = { allowLoopback: true, allowedHosts: new Set() };
const allowing: TargetPolicy = { allowLoopback: false, allowedHosts: new Set(["relay.corp.example"]) };

describe("refuseAddress", () => {
  it("accepts public unicast, IPv4 and IPv6", () => {
    for (const address of ["8.8.8.8", "93.184.216.34", "2606:4700::1111"]) expect(refuseAddress(address, "h", strict)).toBeNull();
  });

  it.each([
    ["10.1.2.3", /private-range/],
    ["172.16.0.1", /private-range/],
    ["192.168.1.1", /private-range/],
    ["169.254.169.254", /link-local.*metadata/],
    ["fe80::1", /link-local/],
    ["fc00::1", /unique local/],
    ["100.64.0.1", /carrier-grade NAT/],
    ["127.0.0.1", /loopback/],
    ["::1", /loopback/],
    ["0.0.0.0", /unspecified/],
    ["224.0.0.1", /multicast/],
    ["255.255.255.255", /broadcast/],
    ["192.0.2.1", /reserved or documentation/],
    ["::ffff:10.0.0.1", /private-range/],
    ["::ffff:169.254.169.254", /link-local/],
    ["2002::1", /6to4/],
  ])("refuses %s", (address, reason) => {
    expect(refuseAddress(address, "h", strict)).toMatch(reason);
  });

  it("lets loopback through only on the embedded defaults", () => {
    expect(refuseAddress("127.0.0.1", "h", embedded)).toBeNull();
    expect(refuseAddress("10.0.0.1", "h", embedded)).toMatch(/private-range/);
  });

  it("lets an allowed host reach private and link-local addresses, but never multicast or unspecified", () => {
    expect(refuseAddress("10.0.0.5", "relay.corp.example", allowing)).toBeNull();
    expect(refuseAddress("10.0.0.5", "RELAY.corp.example", allowing)).toBeNull();
    expect(refuseAddress("169.254.10.1", "relay.corp.example", allowing)).toBeNull();
    expect(refuseAddress("10.0.0.5", "other.corp.example", allowing)).toMatch(/An admin can allow this host/);
    expect(refuseAddress("224.0.0.1", "relay.corp.example", allowing)).toMatch(/cannot receive/);
    expect(refuseAddress("0.0.0.0", "relay.corp.example", allowing)).toMatch(/cannot receive/);
  });
});

describe("checkHost", () => {
  it("refuses a name when any of its addresses is refused, not only the first", async () => {
    await expect(checkHost("mixed.example", strict, async () => ["93.184.216.34", "10.0.0.1"])).rejects.toThrow(/mixed\.example resolves to 10\.0\.0\.1/);
    await expect(checkHost("public.example", strict, async () => ["93.184.216.34", "2606:4700::1"])).resolves.toEqual(["93.184.216.34", "2606:4700::1"]);
  });

  it("judges an IP literal without asking DNS, brackets and all", async () => {
    const never = async () => {
      throw new Error("DNS asked");
    };
    await expect(checkHost("[fe80::1]", strict, never)).rejects.toThrow(/link-local/);
    await expect(checkHost("8.8.8.8", strict, never)).resolves.toEqual(["8.8.8.8"]);
  });

  it("says so when a name does not resolve", async () => {
    const fail = async () => {
      throw Object.assign(new Error("nope"), { code: "ENOTFOUND" });
    };
    await expect(checkHost("nowhere.example", strict, fail)).rejects.toThrow(/nowhere\.example does not resolve \(ENOTFOUND\)/);
    await expect(checkHost("empty.example", strict, async () => [])).rejects.toBeInstanceOf(TargetRefusedError);
  });
});

describe("parseTargetUrl", () => {
  it("takes https:, and http: only to loopback on the embedded defaults", () => {
    expect(parseTargetUrl("https://hooks.example.com/x", strict).host).toBe("hooks.example.com");
    expect(parseTargetUrl("http://127.0.0.1:8080/x", embedded).port).toBe("8080");
    expect(parseTargetUrl("http://localhost/x", embedded).hostname).toBe("localhost");
    expect(() => parseTargetUrl("http://127.0.0.1/x", strict)).toThrow(/https:/);
    expect(() => parseTargetUrl("http://hooks.example.com/x", embedded)).toThrow(/https:/);
  });

  it.each([
    ["ftp://x.example/", /not ftp:/],
    ["file:///etc/passwd", /not file:/],
    ["javascript:alert(1)", /not javascript:/],
    ["not a url", /full URL/],
    ["https://user:pass@x.example/", /no user name or password/],
  ])("refuses %s", (url, reason) => {
    expect(() => parseTargetUrl(url, embedded)).toThrow(reason);
  });
});
