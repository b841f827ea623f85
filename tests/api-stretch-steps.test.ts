/**
 * The stretch's steps through the API, with a token, as the stretch section's buttons take them:
 * each one requires If-Match with the ETag of GET …/stretch (428 without it or with `*`, 412 when
 * the stretch moved since, a weak tag never matching), runs the console's own command (the same
 * pre-checks and reasons, the same audit), and answers with the stretch and its new ETag.
 */
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it, vi } from "vitest";

vi.mock("next/headers", async () => (await import("./support/next-request")).nextHeaders);
vi.mock("next/cache", async () => (await import("./support/next-request")).nextCache);

/** Runs once, right after the route's next read of the stretch's version: another operator's step. */
let afterNextVersion: (() => Promise<void>) | null = null;

vi.mock("@/lib/queries/stretch", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/lib/queries/stretch")>();
  return {
    ...original,
    getStretchVersion: async (...args: Parameters<typeof original.getStretchVersion>) => {
      const version = await original.getStretchVersion(...args);
      const hook = afterNextVersion;
      afterNextVersion = null;
      if (hook) await hook();
      return version;
    },
  };
});

import { GET as getStretch } from "@/app/api/v1/tenants/[slug]/stretch/route";
import { POST as cancelPlan } from "@/app/api/v1/tenants/[slug]/stretch/cancel-plan/route";
import { POST as cutOver } from "@/app/api/v1/tenants/[slug]/stretch/cut-over/route";
import { POST as plan } from "@/app/api/v1/tenants/[slug]/stretch/plan/route";
import { POST as rollBack } from "@/app/api/v1/tenants/[slug]/stretch/roll-back/route";
import { POST as unextend } from "@/app/api/v1/tenants/[slug]/stretch/unextend/route";
import type { Principal } from "@/lib/auth/permissions";
import { planCutover } from "@/lib/commands/plan-cutover";
import type { Database } from "@/lib/db/client";
import { auditEvents, segments, tenants } from "@/lib/db/schema";
import { callApi, makeApiToken } from "./support/api-client";
import { useTestApp } from "./support/personas";

type Handler = Parameters<typeof callApi<{ slug: string }>>[0];
type Problem = { status: number; detail: string; errors?: Record<string, string[]>; checks?: { id: string; status: string }[] };
type View = { stage: string; stageChangedAt: string; plan: { gatewayAddress: string } | null };

const OTHER_OPERATOR: Principal = { kind: "user", userId: "u-other", signInName: "other@bridgehead.example", name: "Other", roles: ["admin"], tenant: null };
const PLAN = { gatewayAddress: "192.168.10.1", tier1Id: "TNT42-T1" };

let db: Database;
let write: string;
let contosoId: string;

const stage = async () => (await db.select({ stage: tenants.stretchStage, at: tenants.stretchStageChangedAt }).from(tenants).where(eq(tenants.id, contosoId)))[0]!;

async function read(slug = "contoso", token = write): Promise<{ etag: string; view: View }> {
  const response = await callApi(getStretch as Handler, { token, path: `/api/v1/tenants/${slug}/stretch`, params: { slug } });
  expect(response.status).toBe(200);
  return { etag: response.headers.get("etag")!, view: (await response.json()) as View };
}

function step(handler: Handler, name: string, options: { ifMatch?: string; body?: unknown; token?: string; slug?: string } = {}) {
  const slug = options.slug ?? "contoso";
  return callApi(handler, {
    token: options.token ?? write,
    method: "POST",
    path: `/api/v1/tenants/${slug}/stretch/${name}`,
    params: { slug },
    body: options.body,
    headers: options.ifMatch === undefined ? {} : { "if-match": options.ifMatch },
  });
}

let moves = 0;

/** Puts the stretch where a test starts, as its steps would have left it: each test stands alone. */
async function setStretch(stage: "extending" | "cutover-planned" | "cut-over") {
  const planned = stage !== "extending";
  await db
    .update(tenants)
    .set({
      stretchStage: stage,
      stretchStageChangedAt: new Date(Date.UTC(2026, 11, 1) + ++moves * 1000),
      cutoverGatewayAddress: planned ? "192.168.10.1/24" : null,
      cutoverTier1Id: planned ? "TNT42-T1" : null,
      gatewayLocation: stage === "cut-over" ? "avs" : "source",
    })
    .where(eq(tenants.id, contosoId));
  await db
    .update(segments)
    .set({ state: "ready", gatewayAddress: stage === "cut-over" ? "192.168.10.1/24" : null, tier1GatewayId: planned ? "TNT42-T1" : null })
    .where(eq(segments.tenantId, contosoId));
}

beforeAll(async () => {
  db = await useTestApp();
  contosoId = (await db.select({ id: tenants.id }).from(tenants).where(eq(tenants.slug, "contoso")))[0]!.id;
  write = (await makeApiToken({ name: "stretch-sync", scope: "write" })).token;
});

describe("the stretch's ETag", () => {
  it("is the time its stage or plan last changed, as the page's hidden field carries it", async () => {
    const { etag, view } = await read();
    expect(etag).toBe(`"${view.stageChangedAt}"`);
    expect(etag).toBe(`"${(await stage()).at.toISOString()}"`);
  });
});

describe("a step without proof of what was read", () => {
  it("answers 428 without If-Match and with *, as problem+json, and changes nothing", async () => {
    await setStretch("extending");
    const before = await stage();
    for (const ifMatch of [undefined, "*"]) {
      const response = await step(plan as Handler, "plan", { ifMatch, body: PLAN });
      expect(response.status).toBe(428);
      expect(response.headers.get("content-type")).toMatch(/^application\/problem\+json/);
      expect(((await response.json()) as Problem).detail).toMatch(/If-Match/);
    }
    expect(await stage()).toEqual(before);
  });

  it("answers 400 to an If-Match that is not an entity tag", async () => {
    const { view } = await read();
    const response = await step(plan as Handler, "plan", { ifMatch: view.stageChangedAt, body: PLAN });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Problem).errors?.["If-Match"]?.[0]).toMatch(/double quotes/);
  });

  it("answers 412 to a weak tag even when it names the current version, and to a stale one", async () => {
    await setStretch("extending");
    const { etag } = await read();
    const before = await stage();
    expect((await step(plan as Handler, "plan", { ifMatch: `W/${etag}`, body: PLAN })).status).toBe(412);
    expect((await step(plan as Handler, "plan", { ifMatch: '"2020-01-01T00:00:00.000Z"', body: PLAN })).status).toBe(412);
    expect(await stage()).toEqual(before);
  });
});

describe("planning, re-planning and cancelling", () => {
  it("plans with the form's fields, names a bad one, and answers the new stretch with its new ETag", async () => {
    await setStretch("extending");
    const { etag } = await read();
    const bad = await step(plan as Handler, "plan", { ifMatch: etag, body: { ...PLAN, gatewayAddress: "10.9.9.9" } });
    expect(bad.status).toBe(400);
    expect(Object.keys(((await bad.json()) as Problem).errors ?? {})).toEqual(["gatewayAddress"]);

    // A list works when one of its strong tags is current.
    const planned = await step(plan as Handler, "plan", { ifMatch: `"2020-01-01T00:00:00.000Z", ${etag}`, body: PLAN });
    expect(planned.status).toBe(200);
    const view = (await planned.json()) as View;
    expect(view).toMatchObject({ stage: "cutover-planned", plan: { gatewayAddress: "192.168.10.1/24" } });
    expect(planned.headers.get("etag")).toBe(`"${view.stageChangedAt}"`);
    expect(planned.headers.get("etag")).not.toBe(etag);
    const audits = await db.select().from(auditEvents).where(eq(auditEvents.action, "stretch.plan"));
    expect(audits.at(-1)).toMatchObject({ actor: "token:stretch-sync", tenantId: contosoId });

    // The ETag the plan replaced is stale now: re-planning with it is refused.
    const again = await step(plan as Handler, "plan", { ifMatch: etag, body: { ...PLAN, gatewayAddress: "192.168.10.254" } });
    expect(again.status).toBe(412);
    expect((await read()).view.plan?.gatewayAddress).toBe("192.168.10.1/24");
  });

  it("moves the ETag on every step, even two within one millisecond", async () => {
    await setStretch("extending");
    vi.useFakeTimers({ now: Date.now(), toFake: ["Date"] });
    try {
      const first = await step(plan as Handler, "plan", { ifMatch: (await read()).etag, body: PLAN });
      const second = await step(plan as Handler, "plan", { ifMatch: first.headers.get("etag")!, body: { ...PLAN, gatewayAddress: "192.168.10.254" } });
      expect(second.status).toBe(200);
      expect(second.headers.get("etag")).not.toBe(first.headers.get("etag"));
      // The clock stood still, yet the first plan's ETag no longer vouches for the stretch.
      expect((await step(cancelPlan as Handler, "cancel-plan", { ifMatch: first.headers.get("etag")! })).status).toBe(412);
    } finally {
      vi.useRealTimers();
    }
  });

  it("refuses a step whose plan another operator changed after the route read the ETag: the command checks again under the lock", async () => {
    await setStretch("cutover-planned");
    const cutOvers = async () => (await db.select().from(auditEvents).where(eq(auditEvents.action, "stretch.cut-over"))).length;
    const audited = await cutOvers();
    const { etag } = await read();
    const before = await stage();
    afterNextVersion = async () => {
      expect(await planCutover(db, OTHER_OPERATOR, { tenantId: contosoId, ...PLAN, gatewayAddress: "192.168.10.254" }, new Date(before.at.getTime() + 60_000))).toEqual({ ok: true });
    };
    const response = await step(cutOver as Handler, "cut-over", { ifMatch: etag, body: { reason: "Window agreed with the customer; probes lag." } });
    expect(response.status).toBe(412);
    expect(await stage()).toMatchObject({ stage: "cutover-planned" });
    expect(await cutOvers()).toBe(audited);
  });

  it("cancels with no body at all, and a second cancel with the old ETag is refused", async () => {
    await setStretch("cutover-planned");
    const { etag } = await read();
    const cancelled = await step(cancelPlan as Handler, "cancel-plan", { ifMatch: etag });
    expect(cancelled.status).toBe(200);
    expect(((await cancelled.json()) as View).stage).toBe("extending");
    expect((await step(cancelPlan as Handler, "cancel-plan", { ifMatch: etag })).status).toBe(412);
    // With the fresh ETag, the stage itself refuses: there is no plan to cancel.
    const none = await step(cancelPlan as Handler, "cancel-plan", { ifMatch: (await read()).etag });
    expect(none.status).toBe(409);
  });
});

describe("cutting over and rolling back", () => {
  it("holds the cut-over at failing pre-checks until a reason is given, then hands the segment to Azure (202)", async () => {
    await setStretch("extending");
    const planned = await step(plan as Handler, "plan", { ifMatch: (await read()).etag, body: PLAN });
    const etag = planned.headers.get("etag")!;

    const held = await step(cutOver as Handler, "cut-over", { ifMatch: etag, body: {} });
    const problem = (await held.json()) as Problem;
    // The demo's telemetry does not pass every pre-check: as on the page, going past takes a reason.
    expect(held.status).toBe(409);
    expect(problem.checks?.some((c) => c.status !== "pass")).toBe(true);

    const short = await step(cutOver as Handler, "cut-over", { ifMatch: etag, body: { reason: "ok" } });
    expect(short.status).toBe(400);
    expect(((await short.json()) as Problem).errors?.reason?.[0]).toMatch(/at least 10/);

    const going = await step(cutOver as Handler, "cut-over", { ifMatch: etag, body: { reason: "Window agreed with the customer; probes lag." } });
    expect(going.status).toBe(202);
    expect(((await going.json()) as View).stage).toBe("cutting-over");
    const [segment] = await db.select().from(segments).where(eq(segments.tenantId, contosoId));
    expect(segment).toMatchObject({ state: "updating", gatewayAddress: "192.168.10.1/24", tier1GatewayId: "TNT42-T1" });
    const audits = await db.select().from(auditEvents).where(eq(auditEvents.action, "stretch.cut-over"));
    expect(audits.at(-1)).toMatchObject({ actor: "token:stretch-sync", after: expect.objectContaining({ reason: "Window agreed with the customer; probes lag." }) });
  });

  it("rolls back from cut over once Azure confirmed it, and refuses the unextend's missing confirmation by field", async () => {
    // As the provisioning job leaves it when Azure confirms the gateway (lib/avs/stretch-outcome.ts).
    await setStretch("cut-over");
    const { etag } = await read();

    const unconfirmed = await step(unextend as Handler, "unextend", { ifMatch: etag, body: { reason: "Customer moved the workloads already." } });
    expect(unconfirmed.status).toBe(400);
    expect(Object.keys(((await unconfirmed.json()) as Problem).errors ?? {})).toContain("confirmSlug");
    const wrong = await step(unextend as Handler, "unextend", { ifMatch: etag, body: { confirmSlug: "fabrikam", reason: "Customer moved the workloads already." } });
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as Problem).errors?.confirmSlug?.[0]).toMatch(/contoso/);
    expect((await stage()).stage).toBe("cut-over");

    const back = await step(rollBack as Handler, "roll-back", { ifMatch: etag });
    expect(back.status).toBe(202);
    expect(((await back.json()) as View).stage).toBe("rolling-back");
  });
});

describe("who may take a step", () => {
  it("mirrors the console: operators only, so a tenant's own write token is refused on its own stretch and another's", async () => {
    const own = (await makeApiToken({ name: "contoso-write", scope: "write", tenantSlug: "contoso" })).token;
    for (const slug of ["contoso", "fabrikam"]) {
      const { etag } = await read(slug);
      const response = await step(plan as Handler, "plan", { token: own, slug, ifMatch: etag, body: PLAN });
      expect(response.status).toBe(403);
    }
    // The same answer for a tenant that does not exist: the refusal says nothing about other tenants.
    expect((await step(plan as Handler, "plan", { token: own, slug: "nobody", ifMatch: '"x"', body: PLAN })).status).toBe(403);
    // It still reads its own stretch, and not another tenant's.
    expect((await callApi(getStretch as Handler, { token: own, path: "/api/v1/tenants/contoso/stretch", params: { slug: "contoso" } })).status).toBe(200);
    expect((await callApi(getStretch as Handler, { token: own, path: "/api/v1/tenants/fabrikam/stretch", params: { slug: "fabrikam" } })).status).toBe(404);
  });

  it("answers 404 for a tenant that does not exist, before asking for If-Match", async () => {
    expect((await step(plan as Handler, "plan", { slug: "nobody", body: PLAN })).status).toBe(404);
  });
});
