import { createSilenceFor, listSilencesOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** GET /api/v1/silences — the operators' silences running, coming, or ended in the last day. */
export const GET = defineRoute({ access: "portal:read" }, async (_request, { db }) => listSilencesOf(db, { owner: null }));

/** POST /api/v1/silences — quiet the operators' rules for a tenant, tunnel or kind, from now or later, for a while. */
export const POST = defineRoute({ access: "fleet:write" }, async (request, { db, principal }) => createSilenceFor(request, { db, principal }, { owner: null }));
