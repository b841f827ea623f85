import { randomBytes, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { authenticateSession } from "@/lib/auth/principal";
import type { SessionClaims } from "@/lib/auth/session";
import { claimDisplayLink, createDisplay, issueDisplayLink, revokeDisplay } from "@/lib/commands/noc-displays";
import { offboardTenant } from "@/lib/commands/offboard-tenant";
import { endSession, endSessionsForMembership, endSessionsOf, SESSION_TOUCH_MS, startSession } from "@/lib/commands/sessions";
import { openDatabase, type Database } from "@/lib/db/client";
import { nocDisplays, sessions, tenants, users } from "@/lib/db/schema";
import { seedDemoData } from "@/lib/demo/seed";
import type { Principal } from "@/lib/auth/permissions";
import { createPostgresDatabase, describeEachDatabase, postgresAvailable } from "./support/databases";

const MINUTE = 60_000;
const IDLE = 30 * MINUTE;
const admin: Principal = { kind: "user", userId: randomUUID(), signInName: "admin@bridgehead.example", name: "Admin", roles: ["admin"], tenant: null };

async function makeUser(db: Database, signInName: string, subject = `sub-${randomUUID()}`) {
  const [user] = await db.insert(users).values({ subject, signInName, displayName: signInName }).returning();
  return user!;
}

function userClaims(user: { id: string; subject: string; signInName: string }, sessionId: string): SessionClaims {
  return { kind: "user", sessionId, userId: user.id, subject: user.subject, signInName: user.signInName, name: user.signInName, roles: [] };
}

/** A user with a live session started at `at`, and a way to make a request with it at any moment. */
async function signedIn(db: Database, signInName: string, at: Date, subject?: string) {
  const user = await makeUser(db, signInName, subject);
  const sessionId = await startSession(db, { kind: "user", userId: user.id }, 8 * 3600, at);
  const claims = userClaims(user, sessionId);
  return { user, sessionId, request: (now: Date) => authenticateSession(db, claims, { now, idleMs: IDLE }) };
}

async function record(db: Database, sessionId: string) {
  const [row] = await db.select().from(sessions).where(eq(sessions.id, sessionId));
  return row!;
}

describeEachDatabase("session records", ({ handle }) => {
  let db: Database;
  const t0 = new Date("2026-11-20T08:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);

  beforeAll(async () => {
    db = handle().db;
    await seedDemoData(db, { secretsKey: randomBytes(32) });
  });

  it("a session is live until sign-out ends it; a copy of its cookie is refused after", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    expect(await ada.request(at(MINUTE))).toMatchObject({ kind: "user", userId: ada.user.id, sessionId: ada.sessionId });
    expect(await endSession(db, ada.sessionId, "sign-out", ada.user.signInName, at(2 * MINUTE))).toBe(true);
    expect(await ada.request(at(3 * MINUTE))).toBeNull();
    expect(await record(db, ada.sessionId)).toMatchObject({ endedReason: "sign-out", endedBy: ada.user.signInName, endedAt: at(2 * MINUTE) });
    // Ending it again changes nothing.
    expect(await endSession(db, ada.sessionId, "ended-by-admin", "someone", at(4 * MINUTE))).toBe(false);
    expect((await record(db, ada.sessionId)).endedReason).toBe("sign-out");
  });

  it("last seen moves at most once a minute, however many requests come in", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    for (const ms of [1_000, 10_000, 30_000, SESSION_TOUCH_MS - 1]) {
      expect(await ada.request(at(ms))).not.toBeNull();
      expect((await record(db, ada.sessionId)).lastSeenAt).toEqual(t0);
    }
    await ada.request(at(SESSION_TOUCH_MS));
    expect((await record(db, ada.sessionId)).lastSeenAt).toEqual(at(SESSION_TOUCH_MS));
    await ada.request(at(SESSION_TOUCH_MS + 59_000));
    expect((await record(db, ada.sessionId)).lastSeenAt).toEqual(at(SESSION_TOUCH_MS));
  });

  it("a person's session ends after the idle time without a request, and says so; requests keep it alive", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    // A request just inside the idle time moves last seen, so the session lives on past t0 + IDLE.
    expect(await ada.request(at(IDLE - MINUTE))).not.toBeNull();
    expect(await ada.request(at(2 * IDLE - 2 * MINUTE))).not.toBeNull();
    const lastSeen = (await record(db, ada.sessionId)).lastSeenAt.getTime();
    expect(await ada.request(new Date(lastSeen + IDLE + 1))).toBeNull();
    expect(await record(db, ada.sessionId)).toMatchObject({ endedReason: "idle", endedBy: "system", endedAt: new Date(lastSeen + IDLE + 1) });
    // Ended is ended: coming back sooner than the idle time does not revive it.
    expect(await ada.request(new Date(lastSeen + MINUTE))).toBeNull();
  });

  it("the page's own polls are answered but keep no one signed in: an unattended screen still goes idle", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    const claims = userClaims(ada.user, ada.sessionId);
    const poll = (now: Date) => authenticateSession(db, claims, { now, idleMs: IDLE, background: true });
    // Every 30 s, as the tenant page refreshes its charts, for the whole idle time.
    for (let ms = 30_000; ms <= IDLE; ms += 30_000) expect(await poll(at(ms))).not.toBeNull();
    expect((await record(db, ada.sessionId)).lastSeenAt).toEqual(t0);
    expect(await poll(at(IDLE + 1))).toBeNull();
    expect(await record(db, ada.sessionId)).toMatchObject({ endedReason: "idle", endedAt: at(IDLE + 1) });
  });

  it("a session past its expiry is refused even when it was active", async () => {
    const user = await makeUser(db, `ada-${randomUUID()}@example.com`);
    const sessionId = await startSession(db, { kind: "user", userId: user.id }, 600, t0);
    const claims = userClaims(user, sessionId);
    expect(await authenticateSession(db, claims, { now: at(9 * MINUTE), idleMs: IDLE })).not.toBeNull();
    expect(await authenticateSession(db, claims, { now: at(10 * MINUTE), idleMs: IDLE })).toBeNull();
  });

  it("a cookie naming someone else's session record is refused", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    const eve = await makeUser(db, `eve-${randomUUID()}@example.com`);
    expect(await authenticateSession(db, userClaims(eve, ada.sessionId), { now: at(MINUTE), idleMs: IDLE })).toBeNull();
    expect(await authenticateSession(db, userClaims(eve, randomUUID()), { now: at(MINUTE), idleMs: IDLE })).toBeNull();
  });

  it("an admin ends every session of one person, on every browser, and nobody else's", async () => {
    const ada = await signedIn(db, `ada-${randomUUID()}@example.com`, t0);
    const secondBrowser = await startSession(db, { kind: "user", userId: ada.user.id }, 8 * 3600, t0);
    const bob = await signedIn(db, `bob-${randomUUID()}@example.com`, t0);
    expect(await endSessionsOf(db, { userId: ada.user.id }, "ended-by-admin", "admin@bridgehead.example", at(MINUTE))).toBe(2);
    expect(await ada.request(at(2 * MINUTE))).toBeNull();
    expect(await authenticateSession(db, userClaims(ada.user, secondBrowser), { now: at(2 * MINUTE), idleMs: IDLE })).toBeNull();
    expect(await bob.request(at(2 * MINUTE))).not.toBeNull();
    expect(await record(db, secondBrowser)).toMatchObject({ endedReason: "ended-by-admin", endedBy: "admin@bridgehead.example" });
  });

  it("removing a membership ends the sessions of the user it named, by sign-in name or object id, in any case", async () => {
    const byName = await signedIn(db, `Carol-${randomUUID()}@Contoso.example`, t0);
    const subject = `Sub-${randomUUID()}`;
    const byId = await signedIn(db, `dave-${randomUUID()}@contoso.example`, t0, subject);
    const other = await signedIn(db, `erin-${randomUUID()}@contoso.example`, t0);
    expect(await endSessionsForMembership(db, { principalKind: "sign-in-name", principal: byName.user.signInName.toLowerCase() }, "admin", at(MINUTE))).toBe(1);
    expect(await endSessionsForMembership(db, { principalKind: "object-id", principal: subject.toLowerCase() }, "admin", at(MINUTE))).toBe(1);
    expect(await byName.request(at(2 * MINUTE))).toBeNull();
    expect(await byId.request(at(2 * MINUTE))).toBeNull();
    expect(await other.request(at(2 * MINUTE))).not.toBeNull();
    expect((await record(db, byName.sessionId)).endedReason).toBe("membership-removed");
  });

  it("offboarding a tenant ends its members' sessions with their access", async () => {
    // The demo seed makes bob@fabrikam.example a member of Fabrikam.
    const bob = await signedIn(db, "bob@fabrikam.example", t0);
    expect(await bob.request(at(MINUTE))).toMatchObject({ tenant: { slug: "fabrikam" } });
    const [fabrikam] = await db.select().from(tenants).where(eq(tenants.slug, "fabrikam"));
    expect(await offboardTenant(db, admin, fabrikam!.id, at(2 * MINUTE))).toMatchObject({ ok: true });
    expect(await bob.request(at(3 * MINUTE))).toBeNull();
    expect((await record(db, bob.sessionId)).endedReason).toBe("membership-removed");
  });
});

describeEachDatabase("display links", ({ handle }) => {
  let db: Database;
  const t0 = new Date("2026-11-20T08:00:00Z");
  const at = (ms: number) => new Date(t0.getTime() + ms);
  const displayRequest = (claim: { display: { id: string; name: string }; sessionId: string }, now: Date) =>
    authenticateSession(db, { kind: "display", sessionId: claim.sessionId, displayId: claim.display.id, name: claim.display.name }, { now, idleMs: IDLE });

  beforeAll(() => {
    db = handle().db;
  });

  it("a link signs one screen in once; a second open says it was used, when, and who issued it", async () => {
    const created = await createDisplay(db, admin, "Wall A", t0);
    const first = await claimDisplayLink(db, created.token, at(MINUTE));
    if (!first.ok) throw new Error(`first claim refused: ${first.reason}`);
    expect(await displayRequest(first, at(2 * MINUTE))).toMatchObject({ kind: "display", displayId: created.id });
    expect(await claimDisplayLink(db, created.token, at(5 * MINUTE))).toEqual({
      ok: false,
      reason: "used",
      usedAt: at(MINUTE),
      issuedBy: "admin@bridgehead.example",
      displayName: "Wall A",
    });
  });

  it("two screens opening the same link at once: exactly one gets a session", async () => {
    const created = await createDisplay(db, admin, "Wall B", t0);
    const claims = await Promise.all([claimDisplayLink(db, created.token, at(MINUTE)), claimDisplayLink(db, created.token, at(MINUTE))]);
    expect(claims.filter((c) => c.ok)).toHaveLength(1);
    expect(claims.filter((c) => !c.ok && c.reason === "used")).toHaveLength(1);
    expect(await db.select().from(sessions).where(eq(sessions.displayId, created.id))).toHaveLength(1);
  });

  it("a display runs unattended: no idle timeout, and last seen moves as it polls", async () => {
    const created = await createDisplay(db, admin, "Wall C", t0);
    const claim = await claimDisplayLink(db, created.token, t0);
    if (!claim.ok) throw new Error("claim refused");
    // A weekend with the screen off, then it polls again.
    expect(await displayRequest(claim, at(3 * 24 * 60 * MINUTE))).not.toBeNull();
    expect((await record(db, claim.sessionId)).lastSeenAt).toEqual(at(3 * 24 * 60 * MINUTE));
  });

  it("a new link replaces the old one, used or not, and leaves running screens alone", async () => {
    const created = await createDisplay(db, admin, "Wall D", t0);
    const screen = await claimDisplayLink(db, created.token, at(MINUTE));
    if (!screen.ok) throw new Error("claim refused");
    const issued = await issueDisplayLink(db, { ...admin, signInName: "ops@bridgehead.example" }, created.id, at(2 * MINUTE));
    expect(await claimDisplayLink(db, created.token, at(3 * MINUTE))).toEqual({ ok: false, reason: "unknown" });
    const second = await claimDisplayLink(db, issued!.token, at(3 * MINUTE));
    expect(second.ok).toBe(true);
    expect(await claimDisplayLink(db, issued!.token, at(4 * MINUTE))).toMatchObject({ ok: false, reason: "used", issuedBy: "ops@bridgehead.example" });
    expect(await displayRequest(screen, at(5 * MINUTE))).not.toBeNull();
  });

  it("revoking a display ends its sessions and its link", async () => {
    const created = await createDisplay(db, admin, "Wall E", t0);
    const screen = await claimDisplayLink(db, created.token, at(MINUTE));
    if (!screen.ok) throw new Error("claim refused");
    const unused = await issueDisplayLink(db, admin, created.id, at(2 * MINUTE));
    expect(await revokeDisplay(db, admin, created.id, at(3 * MINUTE))).toMatchObject({ id: created.id });
    expect(await displayRequest(screen, at(4 * MINUTE))).toBeNull();
    expect((await record(db, screen.sessionId)).endedReason).toBe("display-revoked");
    expect(await claimDisplayLink(db, unused!.token, at(4 * MINUTE))).toEqual({ ok: false, reason: "revoked" });
    expect(await issueDisplayLink(db, admin, created.id, at(5 * MINUTE))).toBeNull();
  });

  it("a display marked revoked is refused even while its session record still says live, and a renamed one is named as it is now", async () => {
    const created = await createDisplay(db, admin, "Wall F", t0);
    const screen = await claimDisplayLink(db, created.token, at(MINUTE));
    if (!screen.ok) throw new Error("claim refused");
    // The name in the cookie is the one at sign-in; the principal carries the display's current one.
    await db.update(nocDisplays).set({ name: "Wall F (ops room)" }).where(eq(nocDisplays.id, created.id));
    expect(await displayRequest(screen, at(2 * MINUTE))).toEqual({ kind: "display", displayId: created.id, name: "Wall F (ops room)", sessionId: screen.sessionId });
    // Only the display row revoked (another instance halfway through revoking, or a hand edit): refused all the same.
    await db.update(nocDisplays).set({ revokedAt: at(3 * MINUTE) }).where(eq(nocDisplays.id, created.id));
    expect((await record(db, screen.sessionId)).endedAt).toBeNull();
    expect(await displayRequest(screen, at(4 * MINUTE))).toBeNull();
  });
});

describe.skipIf(!postgresAvailable())("session records shared by two instances [postgres]", () => {
  it("a session ended through one instance is refused by the other at its next request", async () => {
    const database = await createPostgresDatabase();
    const one = await openDatabase({ kind: "postgres", url: database.url });
    const two = await openDatabase({ kind: "postgres", url: database.url });
    try {
      const now = new Date();
      const ada = await signedIn(one.db, "ada@example.com", now);
      const claims = userClaims(ada.user, ada.sessionId);
      expect(await authenticateSession(two.db, claims, { now, idleMs: IDLE })).not.toBeNull();
      await endSession(one.db, ada.sessionId, "sign-out", "ada@example.com", now);
      expect(await authenticateSession(two.db, claims, { now, idleMs: IDLE })).toBeNull();
    } finally {
      await one.close();
      await two.close();
      await database.drop();
    }
  });
});
