import { defineRoute } from "@/lib/auth/guards";
import { readConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

// Anonymous on purpose: load balancers probe it without credentials, it reveals only modes,
// and it must answer 503 (not fail) when the database is down.
export const GET = defineRoute({ access: "anonymous" }, async () => {
  const { httpStatus, report } = await checkHealth(readConfig(), getDatabase);
  return Response.json(report, { status: httpStatus, headers: { "cache-control": "no-store" } });
});
