/**
 * Silences and notification channels through the API: the operators' and a tenant's own, with the
 * settings pages' commands. A tenant's token sees and changes only its own (another tenant's,
 * and the operators', are not found); secrets never come back: a webhook URL's token, an SMTP
 * password.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import * as channels from "@/app/api/v1/notification-channels/route";
import * as silences from "@/app/api/v1/silences/route";
import * as tenantChannels from "@/app/api/v1/tenants/[slug]/notification-channels/route";
import * as tenantChannel from "@/app/api/v1/tenants/[slug]/notification-channels/[id]/route";
import * as tenantSilences from "@/app/api/v1/tenants/[slug]/silences/route";
import * as tenantSilence from "@/app/api/v1/tenants/[slug]/silences/[id]/route";
import type { Principal } from "@/lib/auth/permissions";
import { updateChannel } from "@/lib/commands/notification-channels";
import type { Database } from "@/lib/db/client";
import { channelInput } from "@/lib/validation/notifications";
import { auditEvents, notificationChannels, notificationSilences, tenants } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

type Handler = Parameters<typeof callApi<Record<string, string>>>[0];
type Channel = { id: string; name: string; kind: string; target: string; signingSecret?: string | null };

const HOOK_TOKEN = "aB3dE_fG7hIjK-lMnOpQrStUv1234";
const QUERY_TOKEN = "q-s3cret-value";
const SMTP_PASSWORD = "smtp-pa55word-never-shown";

let db: Database;
let contoso: string;
let fabrikam: string;
let operators: string;

const webhook = (name: string, path = `/hooks/${HOOK_TOKEN}`) => ({ kind: "webhook", name, url: `http://127.0.0.1:9${path}?token=${QUERY_TOKEN}` });

function call(handler: Handler, token: string, method: string, path: string, params: Record<string, string>, body?: unknown, headers?: Record<string, string>) {
  return callApi(handler, { token, method, path, params, body, headers });
}

async function addTenantChannel(slug: string, token: string, body: unknown = webhook(`${slug} hook`)) {
  const response = await call(tenantChannels.POST as Handler, token, "POST", `/api/v1/tenants/${slug}/notification-channels`, { slug }, body);
  expect(response.status).toBe(201);
  return (await response.json()) as Channel;
}

beforeAll(async () => {
  db = await useTestApp();
  contoso = (await makeApiToken({ name: "contoso-admin", scope: "write", tenantSlug: "contoso" })).token;
  fabrikam = (await makeApiToken({ name: "fabrikam-admin", scope: "write", tenantSlug: "fabrikam" })).token;
  operators = (await makeApiToken({ name: "ops", scope: "write" })).token;
});

describe("a tenant's own channels", () => {
  it("adds a webhook, answers its signing secret once, and never shows the URL's token, in the answer, the list or the audit trail", async () => {
    const made = await addTenantChannel("contoso", contoso);
    expect(made.signingSecret).toMatch(/\S{16,}/);
    expect(made.target).toBe("http://127.0.0.1:9/hooks/•••?token=•••");

    const list = await call(tenantChannels.GET as Handler, contoso, "GET", "/api/v1/tenants/contoso/notification-channels", { slug: "contoso" });
    const text = await list.text();
    expect(list.status).toBe(200);
    expect(text).toContain(made.id);
    expect(text).not.toContain(HOOK_TOKEN);
    expect(text).not.toContain(QUERY_TOKEN);
    expect(text).not.toContain(made.signingSecret!);
    const audited = JSON.stringify(await db.select().from(auditEvents).where(eq(auditEvents.entityId, made.id)));
    expect(audited).not.toContain(HOOK_TOKEN);
    expect(audited).not.toContain(QUERY_TOKEN);
    // Stored in full, as the sender needs it.
    const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id));
    expect(row!.settings).toMatchObject({ url: expect.stringContaining(HOOK_TOKEN) });
  });

  it("keeps tenants apart: another tenant's channel is not found to list, change or delete, whichever path names it", async () => {
    const theirs = await addTenantChannel("fabrikam", fabrikam);
    const mine = await call(tenantChannels.GET as Handler, contoso, "GET", "/api/v1/tenants/contoso/notification-channels", { slug: "contoso" });
    expect(await mine.text()).not.toContain(theirs.id);
    expect((await call(tenantChannels.GET as Handler, contoso, "GET", "/api/v1/tenants/fabrikam/notification-channels", { slug: "fabrikam" })).status).toBe(404);
    for (const slug of ["contoso", "fabrikam"]) {
      const path = `/api/v1/tenants/${slug}/notification-channels/${theirs.id}`;
      expect((await call(tenantChannel.PUT as Handler, contoso, "PUT", path, { slug, id: theirs.id }, webhook("Taken over"))).status).toBe(404);
      expect((await call(tenantChannel.DELETE as Handler, contoso, "DELETE", path, { slug, id: theirs.id })).status).toBe(404);
    }
    const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, theirs.id));
    expect(row).toMatchObject({ name: "fabrikam hook" });
    // The operators' channels are not a tenant's either.
    expect((await call(channels.GET as Handler, contoso, "GET", "/api/v1/notification-channels", {})).status).toBe(403);
  });

  it("changes a channel's name and target, keeping its signing secret; its kind cannot change", async () => {
    const made = await addTenantChannel("contoso", contoso, webhook("Before"));
    const [before] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id));
    const path = `/api/v1/tenants/contoso/notification-channels/${made.id}`;
    const changed = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, { slug: "contoso", id: made.id }, webhook("After", "/other"));
    expect(changed.status).toBe(200);
    expect(await changed.json()).toMatchObject({ id: made.id, name: "After", target: "http://127.0.0.1:9/other?token=•••" });
    const [after] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id));
    expect(after!.secretCiphertext).toBe(before!.secretCiphertext);

    const kind = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, { slug: "contoso", id: made.id }, { kind: "teams", name: "After", url: "http://127.0.0.1:9/teams" });
    expect(kind.status).toBe(400);
    expect(Object.keys(((await kind.json()) as { errors: Record<string, string[]> }).errors)).toEqual(["kind"]);

    const deleted = await call(tenantChannel.DELETE as Handler, contoso, "DELETE", path, { slug: "contoso", id: made.id });
    expect(deleted.status).toBe(200);
    expect(await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id))).toHaveLength(0);
  });

  it("takes If-Match on a change: the ETag of GET, a stale one 412 and nothing changed", async () => {
    const made = await addTenantChannel("contoso", contoso, webhook("Versioned"));
    const path = `/api/v1/tenants/contoso/notification-channels/${made.id}`;
    const params = { slug: "contoso", id: made.id };
    const read = await call(tenantChannel.GET as Handler, contoso, "GET", path, params);
    expect(read.status).toBe(200);
    expect(await read.text()).not.toContain(HOOK_TOKEN);
    const etag = read.headers.get("etag")!;
    const changed = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, params, webhook("Versioned 2"), { "if-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    const stale = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, params, webhook("Versioned 3"), { "if-match": etag });
    expect(stale.status).toBe(412);
    expect((await call(tenantChannel.PUT as Handler, contoso, "PUT", path, params, webhook("Versioned 3"), { "if-match": `W/${changed.headers.get("etag")}` })).status).toBe(412);
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id)))[0]!.name).toBe("Versioned 2");
    // Another tenant's channel has no ETag to give.
    expect((await call(tenantChannel.GET as Handler, fabrikam, "GET", `/api/v1/tenants/fabrikam/notification-channels/${made.id}`, { slug: "fabrikam", id: made.id })).status).toBe(404);
  });

  it("never answers an SMTP password, and keeps it through an edit that does not send it", async () => {
    const email = { kind: "email", name: "Mail", host: "127.0.0.1", port: 2525, security: "none", username: "bot", password: SMTP_PASSWORD, from: "bh@contoso.example", to: "noc@contoso.example" };
    const made = await addTenantChannel("contoso", contoso, email);
    expect(JSON.stringify(made)).not.toContain(SMTP_PASSWORD);
    const [before] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id));
    expect(before!.secretCiphertext).not.toContain(SMTP_PASSWORD);

    const { password: _, ...withoutPassword } = email;
    const path = `/api/v1/tenants/contoso/notification-channels/${made.id}`;
    const kept = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, { slug: "contoso", id: made.id }, { ...withoutPassword, name: "Mail 2" });
    expect(kept.status).toBe(200);
    expect(await kept.text()).not.toContain(SMTP_PASSWORD);
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id)))[0]!.secretCiphertext).toBe(before!.secretCiphertext);

    const replaced = await call(tenantChannel.PUT as Handler, contoso, "PUT", path, { slug: "contoso", id: made.id }, { ...email, password: "a-new-password-1" });
    expect(replaced.status).toBe(200);
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, made.id)))[0]!.secretCiphertext).not.toBe(before!.secretCiphertext);
  });
});

describe("silences", () => {
  const silence = { kind: "loss", durationHours: 2, reason: "Planned fibre work" };

  it("a tenant silences its own warnings once per Idempotency-Key, lists them and ends them; another tenant's are not found", async () => {
    const send = () => call(tenantSilences.POST as Handler, contoso, "POST", "/api/v1/tenants/contoso/silences", { slug: "contoso" }, silence, { "idempotency-key": "silence-1" });
    const first = await send();
    expect(first.status).toBe(201);
    const made = (await first.json()) as { id: string; tenantId: string; ownerTenantId: string };
    const retried = await send();
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(((await retried.json()) as { id: string }).id).toBe(made.id);
    const contosoId = (await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso")))[0]!.id;
    expect(await db.select().from(notificationSilences).where(eq(notificationSilences.reason, silence.reason))).toHaveLength(1);
    expect(made).toMatchObject({ ownerTenantId: contosoId, tenantId: contosoId });

    const list = await call(tenantSilences.GET as Handler, contoso, "GET", "/api/v1/tenants/contoso/silences", { slug: "contoso" });
    expect(await list.text()).toContain(made.id);

    // Fabrikam's token cannot end it, by its own path or contoso's.
    for (const slug of ["fabrikam", "contoso"]) {
      expect((await call(tenantSilence.DELETE as Handler, fabrikam, "DELETE", `/api/v1/tenants/${slug}/silences/${made.id}`, { slug, id: made.id })).status).toBe(404);
    }
    const ended = await call(tenantSilence.DELETE as Handler, contoso, "DELETE", `/api/v1/tenants/contoso/silences/${made.id}`, { slug: "contoso", id: made.id });
    expect(ended.status).toBe(200);
    expect((await call(tenantSilence.DELETE as Handler, contoso, "DELETE", `/api/v1/tenants/contoso/silences/${made.id}`, { slug: "contoso", id: made.id })).status).toBe(409);
  });

  it("names a bad field, and keeps the operators' silences to operators", async () => {
    const bad = await call(tenantSilences.POST as Handler, contoso, "POST", "/api/v1/tenants/contoso/silences", { slug: "contoso" }, { ...silence, durationHours: 0 });
    expect(bad.status).toBe(400);
    expect(Object.keys(((await bad.json()) as { errors: Record<string, string[]> }).errors)).toEqual(["durationHours"]);

    expect((await call(silences.POST as Handler, contoso, "POST", "/api/v1/silences", {}, { ...silence, tenantSlug: "fabrikam" })).status).toBe(403);
    const ops = await call(silences.POST as Handler, operators, "POST", "/api/v1/silences", {}, { ...silence, tenantSlug: "fabrikam" });
    expect(ops.status).toBe(201);
    const made = (await ops.json()) as { id: string; ownerTenantId: string | null };
    expect(made.ownerTenantId).toBeNull();
    // An operators' silence is not a tenant's to end, even the tenant it is about.
    expect((await call(tenantSilence.DELETE as Handler, fabrikam, "DELETE", `/api/v1/tenants/fabrikam/silences/${made.id}`, { slug: "fabrikam", id: made.id })).status).toBe(404);
    expect(await (await call(silences.GET as Handler, operators, "GET", "/api/v1/silences", {})).text()).toContain(made.id);
  });
});

describe("a channel edit that moves an SMTP login elsewhere", () => {
  const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };
  const env = { secretsKey: new Uint8Array(32), allowLoopback: false, resolve: async () => ["93.184.216.34"] };

  it("asks for the password again rather than send the stored one to a host or port it was not given for", async () => {
    const settings = { kind: "email" as const, host: "smtp.relay.example", port: 587, security: "starttls" as const, username: "bot", from: "bh@ops.example", to: ["noc@ops.example"] };
    const [row] = await db.insert(notificationChannels).values({ tenantId: null, kind: "email", name: "Moving relay", settings, secretCiphertext: "stored-ciphertext", createdBy: "test" }).returning();
    const edit = { kind: "email", name: "Moving relay", host: "smtp.relay.example", port: 587, security: "starttls", username: "bot", from: "bh@ops.example", to: "noc@ops.example" };

    for (const moved of [{ host: "smtp.attacker.example" }, { port: 2587 }]) {
      const result = await updateChannel(db, ADMIN, null, row!.id, channelInput.parse({ ...edit, ...moved }), env);
      expect(result).toMatchObject({ ok: false, status: 400, errors: { password: [expect.stringContaining("password")] } });
    }
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, row!.id)))[0]).toMatchObject({ settings, secretCiphertext: "stored-ciphertext" });

    // The same host and port keep it, as before; a new host with the password sent again is fine.
    expect(await updateChannel(db, ADMIN, null, row!.id, channelInput.parse({ ...edit, name: "Relay renamed" }), env)).toMatchObject({ ok: true });
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, row!.id)))[0]!.secretCiphertext).toBe("stored-ciphertext");
    expect(await updateChannel(db, ADMIN, null, row!.id, channelInput.parse({ ...edit, host: "smtp.new-relay.example", password: "the-new-relay-pw" }), env)).toMatchObject({ ok: true });
  });
});

describe("a channel edit racing another", () => {
  const ADMIN: Principal = { kind: "user", userId: "u-admin", signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };

  it("is refused, not written over a password someone replaced while its target was being checked", async () => {
    const mail = { kind: "email", name: "Relay", host: "smtp.relay.example", port: 587, security: "starttls", username: "bot", from: "bh@ops.example", to: "noc@ops.example" };
    const [row] = await db
      .insert(notificationChannels)
      .values({ tenantId: null, kind: "email", name: "Relay", settings: { kind: "email", host: "smtp.relay.example", port: 587, security: "starttls", username: "bot", from: "bh@ops.example", to: ["noc@ops.example"] }, secretCiphertext: "old-ciphertext", createdBy: "test" })
      .returning();
    const result = await updateChannel(db, ADMIN, null, row!.id, channelInput.parse({ ...mail, name: "Relay 2" }), {
      secretsKey: new Uint8Array(32),
      allowLoopback: false,
      // The target check resolves the host: the other admin's new password lands meanwhile.
      resolve: async () => {
        await db.update(notificationChannels).set({ secretCiphertext: "new-ciphertext" }).where(eq(notificationChannels.id, row!.id));
        return ["93.184.216.34"];
      },
    });
    expect(result).toMatchObject({ ok: false, status: 409, reason: "stale" });
    expect((await db.select().from(notificationChannels).where(eq(notificationChannels.id, row!.id)))[0]).toMatchObject({ name: "Relay", secretCiphertext: "new-ciphertext" });
  });
});
