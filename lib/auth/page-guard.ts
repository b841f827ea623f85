import { forbidden, notFound, redirect } from "next/navigation";
import type { Database } from "@/lib/db/client";
import { getPagePrincipal } from "./guards";
import { hasPermission, type Permission, type Principal } from "./permissions";

/**
 * Guards a page: no session → the sign-in page (coming back here afterwards); a tenant page of
 * another tenant → not found; any other missing permission → forbidden.
 */
export async function requirePageAccess(
  access: Permission,
  options: { returnTo: string; tenantId?: string | null },
): Promise<{ principal: Principal; db: Database }> {
  const { principal, db } = await getPagePrincipal();
  if (!principal) redirect(`/signin?returnTo=${encodeURIComponent(options.returnTo)}`);
  if (!hasPermission(principal, access, options.tenantId)) {
    if (access.startsWith("tenant:")) notFound();
    forbidden();
  }
  return { principal, db };
}
