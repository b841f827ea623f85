import { auditPage } from "@/lib/api/audit-page";
import { tenantOfSlug } from "@/lib/api/tenant-resolvers";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-dynamic";

/** GET /api/v1/tenants/{slug}/audit — one tenant's audit trail, as its page shows it. */
export const GET = defineRoute({ access: "tenant:read", tenant: tenantOfSlug }, async (request, { db, tenantId }) => auditPage(db, request, { tenantId: tenantId! }));
