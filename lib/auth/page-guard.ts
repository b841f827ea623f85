import "server-only";
import { headers } from "next/headers";
import { forbidden, notFound, redirect } from "next/navigation";
import { REQUEST_PATH_HEADER } from "./cookie-name";
import type { Database } from "@/lib/db/client";
import { getPagePrincipal } from "./guards";
import { hasPermission, type Permission, type Principal } from "./permissions";

/**
 * Guards a page: no session → the sign-in page (coming back here afterwards); a tenant page of
 * another tenant → not found; any other missing permission → forbidden.
 */
export async function requirePageAccess(
  access: Permission,
  options: { tenantId?: string | null } = {},
): Promise<{ principal: Principal; db: Database }> {
  const { principal, db } = await getPagePrincipal();
  if (!principal) {
    const returnTo = (await headers()).get(REQUEST_PATH_HEADER) ?? "/";
    redirect(`/signin?returnTo=${encodeURIComponent(returnTo)}`);
  }
  if (!hasPermission(principal, access, options.tenantId)) {
    if (access.startsWith("tenant:")) notFound();
    forbidden();
  }
  return { principal, db };
}
