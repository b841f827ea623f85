/**
 * What reaches the generated files is checked on the server, whatever the browser did: the VNI
 * through the onboarding action and the API (not only the form's number input), and a tunnel's
 * NIC names and platform through the one check the tunnel form's action and the API share. A
 * refusal names the field and stores nothing; a stored tunnel that cannot be rendered in full
 * gets no bundle at all, rather than one that lacks the edge bridge's files.
 */
import { eq } from "drizzle-orm";
import { strFromU8, unzipSync } from "fflate";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { onboardTenant } from "@/lib/actions/tenants/onboard-tenant";
import { addTunnel } from "@/lib/actions/tunnels/add-tunnel";
import { readConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { encryptSecret, getSecretsKey, newPresharedKey, SECRET_PURPOSE } from "@/lib/secrets";
import { tenants, tunnelEndpoints, tunnels } from "@/lib/db/schema";
import { listTunnelDownloads } from "@/lib/queries/gateway-files";
import { POST as postTenant } from "@/app/api/v1/tenants/route";
import { POST as postTunnel } from "@/app/api/v1/tenants/[slug]/tunnels/route";
import { GET as getBundle } from "@/app/api/v1/tunnels/[id]/bundle/route";
import { callAction, callRoute, useTestApp } from "./support/personas";

let db: Database;
let cloudId: string;
let n = 0;

const tenantInput = (over: Record<string, unknown> = {}) => {
  n++;
  return {
    privateCloudId: cloudId,
    slug: `vni-${n}`,
    displayName: `VNI check ${n}`,
    contacts: [{ name: "Ada Admin", email: "ada@example.com" }],
    sourceEnvironment: "kvm-proxmox",
    transport: "ipsec-vpn",
    subnet: `10.111.${n}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: "198.51.100.10",
    ...over,
  };
};

async function tenantCount() {
  return (await db.select({ id: tenants.id }).from(tenants)).length;
}

beforeAll(async () => {
  db = await useTestApp();
  const [contoso] = await db.select({ cloud: tenants.privateCloudId }).from(tenants).where(eq(tenants.slug, "contoso"));
  cloudId = contoso!.cloud;
});

describe("the VNI, checked on the server", () => {
  it.each([
    ["above 2^24 − 1", 16_777_216, /Between 1 and 16777215/],
    ["zero", 0, /Between 1 and 16777215/],
    ["negative", -5, /Between 1 and 16777215/],
    ["not whole", 10110.5, /whole number/],
    ["a fractional string", "10110.5", /whole number/],
    ["text", "ten", /./],
  ])("the onboarding action refuses a VNI %s by field and stores nothing", async (_, vni, message) => {
    const before = await tenantCount();
    const result = await callAction(onboardTenant, tenantInput({ vni }) as never, { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(result.ok ? [] : result.errors?.vni).toEqual([expect.stringMatching(message)]);
    expect(await tenantCount()).toBe(before);
  });

  it.each([16_777_216, 1.5, -1])("the API refuses VNI %s by field and stores nothing", async (vni) => {
    const before = await tenantCount();
    const response = await callRoute(postTenant as never, { as: "admin", method: "POST", path: "/api/v1/tenants", body: tenantInput({ vni }) });
    expect(response.status).toBe(400);
    expect((await response.json()).errors).toHaveProperty("vni");
    expect(await tenantCount()).toBe(before);
  });

  it("takes the largest VNI, 16777215, and gives it to the tenant", async () => {
    const result = await callAction(onboardTenant, tenantInput({ vni: 16_777_215 }) as never, { as: "admin" });
    expect(result).toMatchObject({ ok: true, data: { vni: 16_777_215 } });
  });
});

describe("a tunnel's values, checked against the platforms that must render them", () => {
  let slug: string;
  let tenantId: string;
  beforeAll(async () => {
    const input = tenantInput();
    const result = await callAction(onboardTenant, input as never, { as: "admin" });
    if (!result.ok) throw new Error(result.message);
    slug = input.slug;
    const [row] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, slug));
    tenantId = row!.id;
  });

  const tunnel = (over: Record<string, unknown> = {}) => ({
    name: "primary",
    source: { hostname: "gw1", underlayIp: "198.51.100.10", lanTagged: "on" },
    avs: { hostname: "bridge1", underlayIp: "10.120.8.30" },
    ...over,
  });
  const tunnelCount = async () => (await db.select({ id: tunnels.id }).from(tunnels).where(eq(tunnels.tenantId, tenantId))).length;

  it.each([
    ["a 16-character edge-bridge NIC", { avs: { hostname: "bridge1", underlayIp: "10.120.8.30", lanInterface: "ens224abcdefghij" } }, "avs.lanInterface", /Linux interface names are at most 15/],
    ["a slash in an edge-bridge NIC", { avs: { hostname: "bridge1", underlayIp: "10.120.8.30", underlayInterface: "Gi0/0/1" } }, "avs.underlayInterface", /contains "\/"/],
    ["an IOS XE name for a Linux gateway", { sourcePlatform: "systemd-networkd", source: { hostname: "gw1", underlayIp: "198.51.100.10", lanInterface: "GigabitEthernet2" } }, "source.lanInterface", /at most 15/],
    ["a Linux name for IOS XE", { sourcePlatform: "cisco-iosxe", source: { hostname: "gw1", underlayIp: "198.51.100.10", underlayInterface: "ens18" } }, "source.underlayInterface", /IOS XE has no interface "ens18"/],
    // 13 characters is a Linux name, but its VLAN sub-interface for this tenant's VLAN would not be.
    ["a LAN NIC whose VLAN sub-interface is too long", { sourcePlatform: "linux-iproute2", source: { hostname: "gw1", underlayIp: "198.51.100.10", lanInterface: "enp129s0f1np1", lanTagged: "on" } }, "source.lanInterface", /VLAN sub-interface/],
    ["an unknown platform", { sourcePlatform: "junos" }, "sourcePlatform", /listed platforms/],
    ["an unknown IPsec suite", { ipsecSuite: "3des-md5" }, "ipsecSuite", /listed IPsec suites/],
  ])("refuses %s through the action, by field, with the reason, and stores nothing", async (_, over, field, message) => {
    const result = await callAction(addTunnel, { tenantId, ...tunnel(over) } as never, { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(result.ok ? [] : result.errors?.[field]).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    expect(await tunnelCount()).toBe(0);
  });

  it("refuses the same values through the API with the same field errors", async () => {
    const response = await callRoute(postTunnel as never, {
      as: "admin",
      method: "POST",
      path: `/api/v1/tenants/${slug}/tunnels`,
      params: { slug },
      body: tunnel({ sourcePlatform: "cisco-iosxe", source: { hostname: "gw1", underlayIp: "198.51.100.10", underlayInterface: "ens18" } }),
    });
    expect(response.status).toBe(400);
    expect((await response.json()).errors["source.underlayInterface"]).toEqual([expect.stringMatching(/IOS XE has no interface "ens18"/)]);
    expect(await tunnelCount()).toBe(0);
  });

  it("takes an IOS XE tunnel with IOS XE names and the AES-128 suite, and its bundle carries that suite at both ends", async () => {
    const result = await callAction(
      addTunnel,
      { tenantId, ...tunnel({ sourcePlatform: "cisco-iosxe", ipsecSuite: "aes128gcm-ecp256", source: { hostname: "gw1", underlayIp: "198.51.100.10", underlayInterface: "GigabitEthernet0/0/0", lanInterface: "GigabitEthernet0/0/1" } }) } as never,
      { as: "admin" },
    );
    if (!result.ok) throw new Error(`${result.message} ${JSON.stringify(result.errors)}`);
    const [row] = await db.select({ sourcePlatform: tunnels.sourcePlatform, ipsecSuite: tunnels.ipsecSuite }).from(tunnels).where(eq(tunnels.id, result.data.tunnelId));
    expect(row).toEqual({ sourcePlatform: "cisco-iosxe", ipsecSuite: "aes128gcm-ecp256" });
    const response = await callRoute(getBundle as never, { as: "admin", path: `/api/v1/tunnels/${result.data.tunnelId}/bundle`, params: { id: result.data.tunnelId } });
    expect(response.status).toBe(200);
    const files = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const ios = Object.entries(files).find(([name]) => name.endsWith(`/source/cisco-iosxe/bh-${slug}-t1.ios`));
    expect(ios).toBeDefined();
    expect(strFromU8(ios![1])).toMatch(/crypto map BRIDGEHEAD \d+ ipsec-isakmp\n set peer 10\.120\.8\.30/);
    expect(strFromU8(ios![1])).toMatch(/ encryption aes-gcm-128\n prf sha256\n group 19/);
    const avs = Object.entries(files).find(([name]) => name.endsWith(`/avs/strongswan/bh-${slug}-t1.conf`));
    expect(strFromU8(avs![1])).toContain("proposals = aes128gcm16-prfsha256-ecp256");
    expect(Object.keys(files).some((name) => name.includes("/avs/"))).toBe(true);
  });

  it("gives a stored tunnel that cannot be rendered in full no bundle, and says which value to fix", async () => {
    // A row written before these checks existed: the edge bridge's LAN NIC is 16 characters.
    const psk = await encryptSecret(newPresharedKey(), getSecretsKey(readConfig()), SECRET_PURPOSE.psk);
    const [legacy] = await db.insert(tunnels).values({ tenantId, ordinal: 2, name: "legacy", pskCiphertext: psk }).returning();
    await db.insert(tunnelEndpoints).values([
      { tunnelId: legacy!.id, side: "source", hostname: "gw2", underlayIp: "198.51.100.12" },
      { tunnelId: legacy!.id, side: "avs", hostname: "bridge2", underlayIp: "10.120.8.31", lanInterface: "ens224abcdefghij" },
    ]);
    const response = await callRoute(getBundle as never, { as: "admin", path: `/api/v1/tunnels/${legacy!.id}/bundle`, params: { id: legacy!.id } });
    const body = await response.json();
    expect(response.status, JSON.stringify(body)).toBe(409);
    expect(body.errors["tunnel.avs.lanInterface"]).toEqual(expect.arrayContaining([expect.stringMatching(/Linux interface names are at most 15/)]));
    const listed = (await listTunnelDownloads(db, tenantId, { mayDownload: true })).find((t) => t.id === legacy!.id);
    expect(listed?.targets).toBeNull();
    expect(listed?.unavailable).toMatch(/cannot be complete.*at most 15/);
  });
});
