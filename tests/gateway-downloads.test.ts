/**
 * Gateway config downloads end to end through the real route handlers and actions: who may take
 * them, that every download is audited, that secrets are stored encrypted and appear only in
 * downloads, and that a refused tunnel leaves nothing behind.
 */
import { and, desc, eq } from "drizzle-orm";
import { unzipSync, strFromU8 } from "fflate";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { addTunnel } from "@/lib/actions/tunnels/add-tunnel";
import { removeTunnel } from "@/lib/actions/tunnels/remove-tunnel";
import { rotateAgentToken } from "@/lib/actions/tunnels/rotate-agent-token";
import { offboardTenant } from "@/lib/actions/tenants/offboard-tenant";
import { hashToken } from "@/lib/auth/tokens";
import { readConfig } from "@/lib/config";
import type { Database } from "@/lib/db/client";
import { auditEvents, tenants, tunnelEndpoints, tunnels, warnings } from "@/lib/db/schema";
import { decryptSecret, getSecretsKey, SECRET_PURPOSE } from "@/lib/secrets";
import { GET as getBundle } from "@/app/api/v1/tunnels/[id]/bundle/route";
import { GET as getFile } from "@/app/api/v1/tunnels/[id]/files/route";
import { callAction, callRoute, useTestApp } from "./support/personas";

let db: Database;
let contosoId: string;
let tunnelId: string;

const newTunnel = (over: Record<string, unknown> = {}) => ({
  tenantId: contosoId,
  name: "secondary",
  source: { hostname: "contoso-gw2", underlayIp: "198.51.100.11", lanTagged: "on" },
  avs: { hostname: "contoso-bridge2", underlayIp: "10.120.8.20", lanInterface: "ens224" },
  ...over,
});

beforeAll(async () => {
  db = await useTestApp();
  const [contoso] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso"));
  contosoId = contoso!.id;
  const added = await callAction(addTunnel, newTunnel(), { as: "admin" });
  if (!added.ok) throw new Error(`addTunnel failed: ${added.message} ${JSON.stringify(added.errors)}`);
  tunnelId = added.data.tunnelId;
});

describe("adding a tunnel", () => {
  it("stores both ends with their agent tokens and the IPsec key encrypted, never in the clear", async () => {
    const [tunnel] = await db.select().from(tunnels).where(eq(tunnels.id, tunnelId));
    expect(tunnel).toMatchObject({ ordinal: 2, name: "secondary" });
    const key = getSecretsKey(readConfig());
    const psk = await decryptSecret(tunnel!.pskCiphertext!, key, SECRET_PURPOSE.psk);
    expect(psk).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(tunnel!.pskCiphertext).not.toContain(psk);

    const ends = await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, tunnelId)).orderBy(tunnelEndpoints.side);
    expect(ends.map((e) => [e.side, e.hostname, e.lanTagged, e.lanInterface])).toEqual([
      ["source", "contoso-gw2", true, null],
      ["avs", "contoso-bridge2", false, "ens224"],
    ]);
    for (const end of ends) {
      const token = await decryptSecret(end.agentTokenCiphertext!, key, SECRET_PURPOSE.agentToken);
      expect(hashToken(token)).toBe(end.agentTokenHash);
      expect(JSON.stringify(end)).not.toContain(token);
    }
  });

  it("refuses a key decrypted for the wrong purpose", async () => {
    const [tunnel] = await db.select().from(tunnels).where(eq(tunnels.id, tunnelId));
    await expect(decryptSecret(tunnel!.pskCiphertext!, getSecretsKey(readConfig()), SECRET_PURPOSE.agentToken)).rejects.toThrow(/cannot be decrypted/);
  });

  it.each([
    ["a host name with a newline", { source: { hostname: "gw1\nip link del eth0", underlayIp: "198.51.100.12" } }, "source.hostname"],
    ["a command substitution in an interface", { avs: { hostname: "br3", underlayIp: "10.120.8.21", lanInterface: "$(reboot)" } }, "avs.lanInterface"],
    ["an address with a zone id", { avs: { hostname: "br3", underlayIp: "fe80::1%eth0" } }, "avs.underlayIp"],
    ["mixed address families", { avs: { hostname: "br3", underlayIp: "2001:db8::5" } }, "avs.underlayIp"],
  ])("refuses %s by field and writes nothing", async (_, over, field) => {
    const before = await db.select({ id: tunnels.id }).from(tunnels);
    const result = await callAction(addTunnel, newTunnel({ name: "third", ...over }), { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(result.ok ? {} : result.errors).toHaveProperty([field]);
    expect(await db.select({ id: tunnels.id }).from(tunnels)).toHaveLength(before.length);
  });

  it("allows two tunnels per tenant and says so on a third", async () => {
    const result = await callAction(addTunnel, newTunnel({ name: "third" }), { as: "admin" });
    expect(result).toMatchObject({ ok: false, status: 409, message: expect.stringMatching(/already has its 2 tunnels/) });
  });

  it("is for operators: a tenant's own admin cannot add one", async () => {
    expect(await callAction(addTunnel, newTunnel({ name: "third" }), { as: "alice" })).toMatchObject({ ok: false, status: 403 });
  });
});

describe("downloading a tunnel's configs", () => {
  it.each([
    ["admin", 200],
    ["alice", 200],
    ["bob", 404],
    ["noc", 404],
    ["display", 404],
    ["anonymous", 401],
  ] as const)("%s gets %i for the bundle", async (as, status) => {
    const response = await callRoute(getBundle as never, { as, path: `/api/v1/tunnels/${tunnelId}/bundle`, params: { id: tunnelId } });
    expect(response.status).toBe(status);
    if (status !== 200) expect(await response.text()).not.toContain("contoso-gw2");
  });

  it("hands the bundle as a zip whose README gives the apply order, and audits who took it", async () => {
    const response = await callRoute(getBundle as never, { as: "alice", path: `/api/v1/tunnels/${tunnelId}/bundle`, params: { id: tunnelId } });
    expect(response.headers.get("content-type")).toBe("application/zip");
    expect(response.headers.get("cache-control")).toMatch(/no-store/);
    expect(response.headers.get("content-disposition")).toBe('attachment; filename="bridgehead-contoso-t2.zip"');
    const entries = unzipSync(new Uint8Array(await response.arrayBuffer()));
    const readme = strFromU8(entries["bridgehead-contoso-t2/README.md"]!);
    expect(readme).toMatch(/## Apply order/);
    expect(readme).toContain("contoso-gw2 (198.51.100.11)");
    // Contoso's second tunnel makes a pair with its first: the bundle says so and carries the pair's files.
    expect(readme).toContain("## The active/standby pair");
    expect(readme).toMatch(/This is tunnel secondary \(#2\), the\npair's standby; its partner is tunnel \w[\w-]* \(#1: contoso-gw1 and /);
    expect(readme).toContain("sudo /usr/local/lib/bridgehead/bh-contoso-t2-pair.sh standby");
    expect(Object.keys(entries)).toEqual(expect.arrayContaining(["bridgehead-contoso-t2/source/linux-iproute2/bh-contoso-t2-pair.sh", "bridgehead-contoso-t2/source/vyos/bh-contoso-t2-guard.nft"]));
    const yaml = strFromU8(entries["bridgehead-contoso-t2/avs/cloud-init/bh-contoso-t2-edge-bridge.yaml"]!);
    expect(yaml).toContain("virtual_router_id 251");

    const [event] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "gateway-config.download"), eq(auditEvents.actor, "alice@contoso.example"))).orderBy(desc(auditEvents.id)).limit(1);
    expect(event).toMatchObject({ entityId: tunnelId, tenantId: contosoId });
    expect((event!.after as { files: string[] }).files).toContain("README.md");
  });

  it("carries the current agent token: a rotated token is in the next download, the old one nowhere", async () => {
    const [source] = await db.select().from(tunnelEndpoints).where(and(eq(tunnelEndpoints.tunnelId, tunnelId), eq(tunnelEndpoints.side, "source")));
    const rotated = await callAction(rotateAgentToken, { id: source!.id }, { as: "alice" });
    if (!rotated.ok) throw new Error(rotated.message);
    const stored = await decryptSecret((await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.id, source!.id)))[0]!.agentTokenCiphertext!, getSecretsKey(readConfig()), SECRET_PURPOSE.agentToken);
    expect(stored).toBe(rotated.data.token);
  });

  it("serves one file by its generated path and nothing else", async () => {
    const ok = await callRoute(getFile as never, { as: "admin", path: `/api/v1/tunnels/${tunnelId}/files?path=README.md`, params: { id: tunnelId } });
    expect(ok.status).toBe(404); // the README exists only inside the bundle
    for (const path of ["../../etc/passwd", "/etc/passwd", "source/../../x"]) {
      const response = await callRoute(getFile as never, { as: "admin", path: `/api/v1/tunnels/${tunnelId}/files?path=${encodeURIComponent(path)}`, params: { id: tunnelId } });
      expect(response.status).toBe(404);
    }
    const missing = await callRoute(getFile as never, { as: "admin", path: `/api/v1/tunnels/${tunnelId}/files`, params: { id: tunnelId } });
    expect(missing.status).toBe(400);
  });

  it("answers a malformed or unknown tunnel id with 404, not an error", async () => {
    for (const id of ["not-a-uuid", "00000000-0000-4000-8000-000000000000"]) {
      const response = await callRoute(getBundle as never, { as: "admin", path: `/api/v1/tunnels/${id}/bundle`, params: { id } });
      expect(response.status).toBe(404);
    }
  });

  it("offboarding destroys the stored keys and tokens along with the access, and closes its warnings", async () => {
    const [fabrikam] = await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "fabrikam"));
    const before = await db.select().from(tunnels).where(eq(tunnels.tenantId, fabrikam!.id));
    expect(before.length).toBeGreaterThan(0);
    await db.insert(warnings).values({ tenantId: fabrikam!.id, kind: "loss", severity: "warning", dedupeKey: "loss:offboard-test", message: "Loss 3 %" });
    // Its tunnels are still attached: the pre-checks refuse without a reason, so one is given.
    expect(await callAction(offboardTenant, { id: fabrikam!.id, confirmSlug: "fabrikam", reason: "Contract ended; the tunnels go with the tenant" }, { as: "admin" })).toMatchObject({ ok: true });
    // Nothing evaluates it again: its warnings are resolved, by whoever offboarded it.
    expect(await db.select({ state: warnings.state, by: warnings.resolvedBy }).from(warnings).where(eq(warnings.tenantId, fabrikam!.id))).toEqual([
      { state: "resolved", by: "admin@bridgehead.example" },
    ]);
    for (const tunnel of await db.select().from(tunnels).where(eq(tunnels.tenantId, fabrikam!.id))) {
      expect(tunnel.pskCiphertext).toBeNull();
      for (const end of await db.select().from(tunnelEndpoints).where(eq(tunnelEndpoints.tunnelId, tunnel.id))) {
        expect(end).toMatchObject({ agentTokenHash: null, agentTokenCiphertext: null });
      }
    }
  });

  it("stops serving a removed tunnel", async () => {
    const removed = await callAction(removeTunnel, { id: tunnelId }, { as: "admin" });
    expect(removed).toMatchObject({ ok: true });
    const response = await callRoute(getBundle as never, { as: "admin", path: `/api/v1/tunnels/${tunnelId}/bundle`, params: { id: tunnelId } });
    expect(response.status).toBe(404);
  });
});
