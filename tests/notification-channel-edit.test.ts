/**
 * Changing a channel from its page (the settings pages' "Change this channel" form): the name and
 * the target, never showing a stored URL (the form leaves it empty and an empty field keeps it),
 * the webhook's signing secret kept, a new target checked as when adding, and an edit made on a
 * page loaded before someone else's change refused instead of written over it.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { createTenantChannel } from "@/lib/actions/notifications/create-channel";
import { updateChannel, updateTenantChannel } from "@/lib/actions/notifications/update-channel";
import type { Database } from "@/lib/db/client";
import { auditEvents, notificationChannels } from "@/lib/db/schema";
import { getChannelSummary } from "@/lib/queries/notifications";
import { callAction, useTestApp } from "./support/personas";

let db: Database;

beforeAll(async () => {
  db = await useTestApp();
});

/** A channel of Contoso's, made as its tenant admin (alice) makes one on the page; its stored row and the version the page shows. */
async function contosoChannel(input: Record<string, string>) {
  const made = await callAction(createTenantChannel, { tenantSlug: "contoso", ...input }, { as: "alice" });
  if (!made.ok) throw new Error(`could not make the channel: ${JSON.stringify(made)}`);
  return { id: made.data.channelId, ...(await stored(made.data.channelId)) };
}

async function stored(id: string) {
  const [row] = await db.select().from(notificationChannels).where(eq(notificationChannels.id, id));
  return { row: row!, version: (await getChannelSummary(db, id))!.version };
}

describe("changing a channel from its page", () => {
  it("renames a webhook channel with the URL left empty: target and signing secret stay as they were", async () => {
    const { id, row, version } = await contosoChannel({ kind: "webhook", name: "Contoso hook", url: "http://127.0.0.1:9/hooks/aB3dE_fG7hIjK-lMnOpQrStUv1234" });
    const result = await callAction(updateTenantChannel, { id, version, kind: "webhook", name: "Contoso on-call", url: "" }, { as: "alice" });
    expect(result).toMatchObject({ ok: true, message: "Saved “Contoso on-call”." });
    const after = await stored(id);
    expect(after.row).toMatchObject({ name: "Contoso on-call", settings: row.settings, secretCiphertext: row.secretCiphertext });
    // The answer carries the new version, so the same form can save again.
    expect(result.ok && result.data.version).toBe(after.version);
    const [audit] = await db.select().from(auditEvents).where(eq(auditEvents.action, "notification-channel.update")).orderBy(auditEvents.at);
    expect(audit).toMatchObject({ entityId: id, after: { name: "Contoso on-call", secret: "kept" } });
  });

  it("checks a new URL as when adding: a refused one changes nothing, an accepted one keeps the signing secret", async () => {
    const { id, row, version } = await contosoChannel({ kind: "webhook", name: "Moving hook", url: "http://127.0.0.1:9/old" });
    const refused = await callAction(updateTenantChannel, { id, version, kind: "webhook", name: "Moved hook", url: "ftp://127.0.0.1/new" }, { as: "alice" });
    expect(refused).toMatchObject({ ok: false, status: 400, errors: { url: [expect.any(String)] } });
    expect((await stored(id)).row).toEqual(row);

    const moved = await callAction(updateTenantChannel, { id, version, kind: "webhook", name: "Moved hook", url: "http://127.0.0.1:9/new" }, { as: "alice" });
    expect(moved).toMatchObject({ ok: true });
    const after = (await stored(id)).row;
    expect(after.settings).toEqual({ kind: "webhook", url: "http://127.0.0.1:9/new" });
    expect(after.secretCiphertext).toBe(row.secretCiphertext);
  });

  it("Teams: an empty URL keeps the stored one (its secret); a new one replaces it", async () => {
    const { id, row, version } = await contosoChannel({ kind: "teams", name: "Contoso Teams", url: "http://127.0.0.1:9/workflows/1?sig=first-signature" });
    expect(await callAction(updateTenantChannel, { id, version, kind: "teams", name: "Contoso Teams room" }, { as: "alice" })).toMatchObject({ ok: true });
    const renamed = await stored(id);
    expect(renamed.row).toMatchObject({ name: "Contoso Teams room", settings: row.settings, secretCiphertext: row.secretCiphertext });

    const replaced = await callAction(updateTenantChannel, { id, version: renamed.version, kind: "teams", name: "Contoso Teams room", url: "http://127.0.0.1:9/workflows/2?sig=second" }, { as: "alice" });
    expect(replaced).toMatchObject({ ok: true });
    expect((await stored(id)).row.secretCiphertext).not.toBe(row.secretCiphertext);
  });

  it("refuses an edit made on a page loaded before someone else's change, and keeps theirs", async () => {
    const { id, version } = await contosoChannel({ kind: "webhook", name: "Shared hook", url: "http://127.0.0.1:9/shared" });
    expect(await callAction(updateTenantChannel, { id, version, kind: "webhook", name: "First edit" }, { as: "alice" })).toMatchObject({ ok: true });
    const late = await callAction(updateTenantChannel, { id, version, kind: "webhook", name: "Second edit" }, { as: "alice" });
    expect(late).toEqual({ ok: false, status: 409, message: "This channel was changed since this page was loaded: reload it and make your change again." });
    expect((await stored(id)).row.name).toBe("First edit");
  });

  it("e-mail: keeps the stored password, but asks for it again when the server moves", async () => {
    const mail = { kind: "email", name: "Contoso mail", host: "127.0.0.1", port: "2525", security: "none", username: "bridgehead", password: "smtp-pa55word", from: "bridgehead@contoso.example", to: "noc@contoso.example" };
    const { id, row, version } = await contosoChannel(mail);
    const kept = await callAction(updateTenantChannel, { ...mail, id, version, name: "Contoso mail desk", password: "", to: "noc@contoso.example, desk@contoso.example" }, { as: "alice" });
    expect(kept).toMatchObject({ ok: true });
    const after = await stored(id);
    expect(after.row.secretCiphertext).toBe(row.secretCiphertext);
    expect(after.row.settings).toMatchObject({ to: ["noc@contoso.example", "desk@contoso.example"] });

    const moved = await callAction(updateTenantChannel, { ...mail, id, version: after.version, port: "2526", password: "" }, { as: "alice" });
    expect(moved).toMatchObject({ ok: false, status: 400, errors: { password: [expect.stringContaining("enter the SMTP password again")] } });
    expect((await stored(id)).row).toEqual(after.row);
  });

  it("is the tenant's: the operators' form does not reach a tenant's channel", async () => {
    const { id, row, version } = await contosoChannel({ kind: "webhook", name: "Not the operators", url: "http://127.0.0.1:9/t" });
    expect(await callAction(updateChannel, { id, version, kind: "webhook", name: "Operators now" }, { as: "admin" })).toMatchObject({ ok: false, status: 404 });
    expect((await stored(id)).row).toEqual(row);
  });
});
