import { jsonResponse } from "@/lib/api/request";
import { defineRoute } from "@/lib/auth/guards";
import { listPrivateClouds } from "@/lib/queries/clouds";

export const dynamic = "force-dynamic";

/** GET /api/v1/private-clouds — the private clouds a tenant can be onboarded into (their ids go into onboarding). */
export const GET = defineRoute({ access: "portal:read" }, async (_request, { db }) => jsonResponse({ items: await listPrivateClouds(db) }));
