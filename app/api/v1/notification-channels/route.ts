import { createChannelFor, listChannelsOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** GET /api/v1/notification-channels — the operators' channels (Settings → Notifications); targets shown without their secrets. */
export const GET = defineRoute({ access: "portal:read" }, async (_request, { db }) => listChannelsOf(db, { owner: null }));

/** POST /api/v1/notification-channels — add an operators' channel; a webhook's signing secret is in the answer, once. */
export const POST = defineRoute({ access: "fleet:write" }, async (request, { db, principal }) => createChannelFor(request, { db, principal }, { owner: null }));
