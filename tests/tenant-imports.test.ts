/**
 * Bulk onboarding through the API with a write token: 500 rows with 3 bad ones. The dry run names
 * exactly those 3 and writes nothing; all-or-nothing refuses and writes nothing; per-row onboards
 * the other 497 on 497 distinct VLANs. A CSV goes through the same path.
 */
import { count, eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { POST as importTenants } from "@/app/api/v1/tenant-imports/route";
import { importTenants as importAction } from "@/lib/actions/tenants/import-tenants";
import type { Database } from "@/lib/db/client";
import { auditEvents, tenants, vlanAllocations } from "@/lib/db/schema";
import { callAction, CONSOLE_ORIGIN, useTestApp } from "./support/personas";
import { makeApiToken } from "./support/api-client";

let db: Database;
let cloudId: string;
let token: string;

beforeAll(async () => {
  db = await useTestApp();
  const [contoso] = await db.select().from(tenants).where(eq(tenants.slug, "contoso"));
  cloudId = contoso!.privateCloudId;
  token = (await makeApiToken({ name: "bulk-loader", scope: "write" })).token;
});

function rowsWithThreeBad() {
  const rows: Record<string, unknown>[] = Array.from({ length: 500 }, (_, i) => ({
    privateCloudId: cloudId,
    slug: `bulk-${i + 1}`,
    displayName: `Bulk ${i + 1}`,
    contacts: [{ name: "Ada", email: `ada${i}@example.com` }],
    sourceEnvironment: "kvm-proxmox",
    transport: "expressroute-global-reach",
    subnet: `10.${100 + Math.floor(i / 250)}.${i % 250}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: "198.51.100.10",
  }));
  rows[41] = { ...rows[41], subnet: "10.999.0.0/24" }; // row 42: not a subnet
  rows[199] = { ...rows[199], slug: "bulk-10" }; // row 200: the slug of row 10
  rows[332] = { ...rows[332], subnet: "10.100.4.0/24" }; // row 333: row 5's subnet, found only by onboarding
  return rows;
}

async function post(body: string, contentType: string, mode: string) {
  const request = new Request(`${CONSOLE_ORIGIN}/api/v1/tenant-imports?mode=${mode}`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": contentType },
    body,
  });
  return importTenants(request, { params: Promise.resolve({}) });
}

type Outcome = { committed: boolean; succeeded: number; failed: number; rows: { row: number; ok: boolean; vlanId?: number; errors?: Record<string, string[]> }[] };

const bulkTenants = async () => (await db.select({ n: count() }).from(tenants).where(inArray(tenants.slug, Array.from({ length: 500 }, (_, i) => `bulk-${i + 1}`))))[0]!.n;

describe("bulk onboarding", () => {
  it("a dry run names exactly the 3 bad rows and what is wrong, and writes nothing", { timeout: 180_000 }, async () => {
    const auditBefore = (await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, "tenant.onboard")))[0]!.n;
    const response = await post(JSON.stringify({ rows: rowsWithThreeBad() }), "application/json", "dry-run");
    expect(response.status).toBe(200);
    const outcome = (await response.json()) as Outcome;
    expect(outcome).toMatchObject({ committed: false, succeeded: 497, failed: 3 });
    const bad = outcome.rows.filter((r) => !r.ok);
    expect(bad.map((r) => r.row)).toEqual([42, 200, 333]);
    expect(Object.keys(bad[0]!.errors!)).toEqual(["subnet"]);
    expect(bad[1]!.errors).toEqual({ slug: ["Row 10 has the slug “bulk-10” already."] });
    expect(bad[2]!.errors!.subnet![0]).toMatch(/overlap/i);
    // What the good rows would get: distinct VLANs, shown before anything is written.
    expect(new Set(outcome.rows.filter((r) => r.ok).map((r) => r.vlanId)).size).toBe(497);
    expect(await bulkTenants()).toBe(0);
    expect((await db.select({ n: count() }).from(auditEvents).where(eq(auditEvents.action, "tenant.onboard")))[0]!.n).toBe(auditBefore);
  });

  it("all-or-nothing with bad rows refuses the lot (422) and writes nothing", { timeout: 180_000 }, async () => {
    const response = await post(JSON.stringify({ rows: rowsWithThreeBad() }), "application/json", "all-or-nothing");
    expect(response.status).toBe(422);
    expect((await response.json()) as Outcome).toMatchObject({ committed: false, failed: 3 });
    expect(await bulkTenants()).toBe(0);
  });

  it("per row onboards the 497 good rows on 497 distinct VLANs and leaves the bad ones out", { timeout: 180_000 }, async () => {
    const response = await post(JSON.stringify({ rows: rowsWithThreeBad() }), "application/json", "per-row");
    expect(response.status).toBe(200);
    expect((await response.json()) as Outcome).toMatchObject({ committed: true, succeeded: 497, failed: 3 });
    expect(await bulkTenants()).toBe(497);
    const vlans = await db
      .select({ vlanId: vlanAllocations.vlanId })
      .from(vlanAllocations)
      .innerJoin(tenants, eq(tenants.id, vlanAllocations.tenantId))
      .where(inArray(tenants.slug, Array.from({ length: 500 }, (_, i) => `bulk-${i + 1}`)));
    expect(new Set(vlans.map((v) => v.vlanId)).size).toBe(497);
    expect(await db.select().from(tenants).where(eq(tenants.slug, "bulk-42"))).toHaveLength(0);
    const [summary] = await db.select().from(auditEvents).where(eq(auditEvents.action, "tenant.bulk-onboard"));
    expect(summary).toMatchObject({ actor: "token:bulk-loader", after: expect.objectContaining({ mode: "per-row", refusedRows: [42, 200, 333] }) });
  });

  it("takes a CSV, all-or-nothing, and names a bad column before anything runs", { timeout: 60_000 }, async () => {
    const header = "privateCloudId,slug,displayName,contactName,contactEmail,sourceEnvironment,transport,subnet,gatewayLocation,sourceGatewayUnderlayIp,vlan";
    const csv = `${header}\n${cloudId},csv-one,CSV One,Ada,ada@example.com,kvm-proxmox,ipsec-vpn,10.110.1.0/24,source,198.51.100.10,\n${cloudId},csv-two,CSV Two,Bea,bea@example.com,kvm-proxmox,ipsec-vpn,10.110.2.0/24,source,198.51.100.11,900\n`;
    const response = await post(csv, "text/csv", "all-or-nothing");
    const outcome = (await response.json()) as Outcome;
    expect(response.status, JSON.stringify(outcome.rows)).toBe(201);
    expect(outcome.rows[1]).toMatchObject({ ok: true, vlanId: 900 });
    const wrong = await post("slug,colour\nx,red\n", "text/csv", "dry-run");
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as { detail: string }).detail).toMatch(/Unknown column “colour”/);
  });
});

describe("the console's import form", () => {
  it("runs the same import from an uploaded file, filling in the chosen private cloud, and names a bad file", async () => {
    const csv = "slug,displayName,contactName,contactEmail,sourceEnvironment,transport,subnet,gatewayLocation,sourceGatewayUnderlayIp\nform-one,Form One,Ada,ada@example.com,kvm-proxmox,ipsec-vpn,10.111.1.0/24,source,198.51.100.10\nform-two,Form Two,Bea,not-an-email,kvm-proxmox,ipsec-vpn,10.111.2.0/24,source,198.51.100.11\n";
    const form = new FormData();
    form.set("file", new Blob([csv], { type: "text/csv" }), "tenants.csv");
    form.set("mode", "dry-run");
    form.set("privateCloudId", cloudId);
    const result = await callAction(importAction, form, { as: "admin" });
    expect(result).toMatchObject({ ok: true, message: expect.stringMatching(/^Dry run: 1 row would be onboarded, 1 needs attention/) });
    if (!result.ok) throw new Error("unreachable");
    expect(result.data.rows).toEqual([
      expect.objectContaining({ row: 1, slug: "form-one", ok: true }),
      expect.objectContaining({ row: 2, slug: "form-two", ok: false, errors: { "contacts.0.email": ["Enter an e-mail address."] } }),
    ]);
    expect(await db.select().from(tenants).where(eq(tenants.slug, "form-one"))).toHaveLength(0);

    const bad = new FormData();
    bad.set("file", new Blob(["slug;displayName\n"]), "x.csv");
    bad.set("mode", "dry-run");
    expect(await callAction(importAction, bad, { as: "admin" })).toMatchObject({ ok: false, status: 400, errors: { file: [expect.stringMatching(/Unknown column/)] } });
  });
});
