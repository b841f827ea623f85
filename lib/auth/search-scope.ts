/**
 * Whose rows the search box may show a principal: operators (admins, NOC viewers) and fleet-wide
 * tokens search the fleet, a tenant's users and tokens only their own tenant, and a wall display
 * nothing (it has no box, and a screen in a NOC has no business querying customers' addresses).
 */
import type { SearchScope } from "@/lib/queries/search";
import { isAdmin, type Principal } from "./permissions";

export function searchScopeOf(principal: Principal): SearchScope | null {
  switch (principal.kind) {
    case "display":
      return null;
    case "token":
      return principal.tenantId === null ? { kind: "fleet" } : { kind: "tenant", tenantId: principal.tenantId };
    case "user":
      if (isAdmin(principal) || principal.roles.includes("noc-viewer")) return { kind: "fleet" };
      return principal.tenant ? { kind: "tenant", tenantId: principal.tenant.id } : null;
  }
}
