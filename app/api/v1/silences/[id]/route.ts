import { endSilenceOf } from "@/lib/api/notification-routes";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** DELETE /api/v1/silences/{id} — end an operators' silence now; its record stays with who ended it. */
export const DELETE = defineRoute<{ id: string }, "fleet:write">({ access: "fleet:write" }, async (_request, { db, principal, params }) =>
  endSilenceOf({ db, principal }, { owner: null }, params.id),
);
