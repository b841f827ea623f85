import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

import { POST as signOut } from "@/app/api/auth/signout/route";
import { POST as startSession } from "@/app/api/auth/session/route";
import { POST as connectDisplay } from "@/app/api/noc/session/route";
import { GET as getNoc } from "@/app/api/v1/noc/route";
import { GET as getTenant } from "@/app/api/v1/tenants/[slug]/route";
import { addMembership } from "@/lib/actions/access/add-membership";
import { endUserSessions } from "@/lib/actions/access/end-user-sessions";
import { removeMembership } from "@/lib/actions/access/remove-membership";
import { createDisplay } from "@/lib/actions/noc/create-display";
import { issueDisplayLink } from "@/lib/actions/noc/issue-display-link";
import type { Database } from "@/lib/db/client";
import { BACKGROUND_REQUEST_HEADER } from "@/lib/auth/cookie-name";
import { memberships, sessions } from "@/lib/db/schema";
import { callAction, callRoute, cookieFor, cookieForUser, useTestApp } from "./support/personas";

/**
 * The session and display-link routes as a browser meets them (issue 17): each test fails on
 * the behaviour before it, where sign-out only cleared the cookie, a removed membership left the
 * session running and a display link could be opened again and again.
 */

let db: Database;

beforeAll(async () => {
  db = await useTestApp();
});

describe("sessions that really end", () => {
  const readContoso = (cookie: string) => callRoute(getTenant as never, { as: "anonymous", cookies: cookie, path: "/api/v1/tenants/contoso", params: { slug: "contoso" } });

  it("signing out ends the session: a copy of the cookie taken before is refused", async () => {
    const cookie = (await cookieFor("admin"))!;
    expect((await readContoso(cookie)).status).toBe(200);
    const copy = cookie;
    const out = await callRoute(signOut as never, { as: "anonymous", cookies: cookie, method: "POST" });
    expect(out.status).toBe(200);
    expect((await readContoso(copy)).status).toBe(401);
  });

  it("the page's polls do not keep a person's session alive; their own requests do", async () => {
    const { cookie, userId } = await cookieForUser(`ida${Date.now()}@contoso.example`);
    const tenMinutesAgo = new Date(Date.now() - 10 * 60_000);
    await db.update(sessions).set({ lastSeenAt: tenMinutesAgo }).where(eq(sessions.userId, userId));
    const lastSeen = async () => (await db.select({ at: sessions.lastSeenAt }).from(sessions).where(eq(sessions.userId, userId)))[0]!.at;
    const poll = await callRoute(getNoc as never, { as: "anonymous", cookies: cookie, path: "/api/v1/noc", headers: { [BACKGROUND_REQUEST_HEADER]: "1" } });
    // Answered as usual (this user has no role, so the wall says 403, not 401), yet nobody was here.
    expect(poll.status).toBe(403);
    expect(await lastSeen()).toEqual(tenMinutesAgo);
    expect((await callRoute(getNoc as never, { as: "anonymous", cookies: cookie, path: "/api/v1/noc" })).status).toBe(403);
    expect((await lastSeen()).getTime()).toBeGreaterThan(tenMinutesAgo.getTime());
  });

  it("removing a membership ends that user's sessions at their next request", async () => {
    const principal = `frank${Date.now()}@contoso.example`;
    expect(await callAction(addMembership, { tenantSlug: "contoso", principalKind: "sign-in-name", principal, role: "tenant-viewer" }, { as: "admin" })).toMatchObject({ ok: true });
    const { cookie } = await cookieForUser(principal);
    expect((await readContoso(cookie)).status).toBe(200);
    const [row] = await db.select().from(memberships).where(eq(memberships.principal, principal));
    expect(await callAction(removeMembership, { id: row!.id }, { as: "admin" })).toMatchObject({ ok: true });
    // Not merely the tenant taken away (a 404): the session itself is over.
    expect((await readContoso(cookie)).status).toBe(401);
  });

  it("an admin ends a user's sessions from the Access page; the user's next request is refused", async () => {
    const principal = `grace${Date.now()}@contoso.example`;
    expect(await callAction(addMembership, { tenantSlug: "contoso", principalKind: "sign-in-name", principal, role: "tenant-viewer" }, { as: "admin" })).toMatchObject({ ok: true });
    const first = await cookieForUser(principal);
    const second = await cookieForUser(principal);
    expect((await readContoso(second.cookie)).status).toBe(200);
    expect(await callAction(endUserSessions, { id: first.userId }, { as: "admin" })).toMatchObject({ ok: true, data: { ended: 2 } });
    expect((await readContoso(first.cookie)).status).toBe(401);
    expect((await readContoso(second.cookie)).status).toBe(401);
  });
});

describe("display links", () => {
  const connect = (token: string) => callRoute(connectDisplay as never, { as: "anonymous", method: "POST", path: "/api/noc/session", body: { token } });

  it("refuse a body over 32 KiB before reading it whole, as the sign-in route does", async () => {
    const oversized = { token: "x".repeat(64 * 1024) };
    const display = await connect(oversized.token);
    expect(display.status).toBe(413);
    expect(((await display.json()) as { error: string }).error).toMatch(/over 32768 bytes/);
    const signIn = await callRoute(startSession as never, { as: "anonymous", method: "POST", path: "/api/auth/session", body: { idToken: oversized.token } });
    expect(signIn.status).toBe(413);
    // Under the limit, the same routes answer as before: a malformed link is a 400.
    expect((await connect("noc_short")).status).toBe(400);
  });

  it("work once: a second open is refused, saying when it was used and whom to ask", async () => {
    const created = await callAction(createDisplay, { name: "Atrium wall" }, { as: "admin" });
    if (!created.ok) throw new Error(created.message);
    const token = new URL(created.data.link).hash.slice(1);
    const first = await connect(token);
    expect(first.status).toBe(200);
    expect(first.headers.get("set-cookie")).toMatch(/^__Host-bh_session=[\w.-]+; Path=\/; HttpOnly; Secure; SameSite=Lax; Max-Age=34560000$/);
    const second = await connect(token);
    expect(second.status).toBe(409);
    expect(second.headers.get("set-cookie")).toBeNull();
    expect((await second.json()) as { error: string }).toEqual({
      error: expect.stringMatching(/^This display link was already used, on .+ UTC: a link signs in one screen, once\. Ask admin@bridgehead\.example, who issued it, or another Bridgehead admin to issue a new link for “Atrium wall” under Admin → Access\.$/),
    });
  });

  it("signing a display out ends its session too: a copy of the screen's cookie is refused after", async () => {
    const created = await callAction(createDisplay, { name: "Lobby wall" }, { as: "admin" });
    if (!created.ok) throw new Error(created.message);
    const connected = await connect(new URL(created.data.link).hash.slice(1));
    const cookie = connected.headers.get("set-cookie")!.split(";")[0]!;
    const readWall = () => callRoute(getNoc as never, { as: "anonymous", cookies: cookie, path: "/api/v1/noc" });
    expect((await readWall()).status).toBe(200);
    expect((await callRoute(signOut as never, { as: "anonymous", cookies: cookie, method: "POST" })).status).toBe(200);
    expect((await readWall()).status).toBe(401);
  });

  it("a new link works once more, and the old one is refused as unknown", async () => {
    const created = await callAction(createDisplay, { name: "Stairwell wall" }, { as: "admin" });
    if (!created.ok) throw new Error(created.message);
    const old = new URL(created.data.link).hash.slice(1);
    const issued = await callAction(issueDisplayLink, { id: created.data.id }, { as: "admin" });
    if (!issued.ok) throw new Error(issued.message);
    expect((await connect(old)).status).toBe(401);
    expect((await connect(new URL(issued.data.link).hash.slice(1))).status).toBe(200);
  });
});
