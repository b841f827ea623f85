import { deleteChannelOf, getChannelOf, updateChannelOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** GET /api/v1/notification-channels/{id} — one operators' channel, with its ETag. */
export const GET = defineRoute<{ id: string }, "portal:read">({ access: "portal:read" }, async (_request, { db, params }) => getChannelOf(db, { owner: null }, params.id));

/** PUT /api/v1/notification-channels/{id} — change an operators' channel's name and target (its kind stays; secrets kept unless sent; If-Match optional, stale 412). */
export const PUT = defineRoute<{ id: string }, "fleet:write">({ access: "fleet:write" }, async (request, { db, principal, params }) =>
  updateChannelOf(request, { db, principal }, { owner: null }, params.id),
);

/** DELETE /api/v1/notification-channels/{id} — delete an operators' channel with its rules and delivery log. */
export const DELETE = defineRoute<{ id: string }, "fleet:write">({ access: "fleet:write" }, async (_request, { db, principal, params }) =>
  deleteChannelOf({ db, principal }, { owner: null }, params.id),
);
