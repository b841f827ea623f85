import { readConfig } from "@/lib/config";
import { getDatabase } from "@/lib/db/client";
import { checkHealth } from "@/lib/health";

export const dynamic = "force-dynamic";

// Public on purpose: load balancers probe it without credentials, and it reveals only modes.
export async function GET() {
  const { httpStatus, report } = await checkHealth(readConfig(), getDatabase);
  return Response.json(report, { status: httpStatus, headers: { "cache-control": "no-store" } });
}
