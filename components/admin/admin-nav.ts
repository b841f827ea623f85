import { isAdmin, type Principal } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";

export type NavItem = { href: string; label: string };

const NAV: NavItem[] = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/warnings", label: "Warnings" },
  { href: "/admin/tenants", label: "Tenants" },
  { href: "/admin/clouds", label: "Private clouds" },
  { href: "/admin/pools", label: "VLAN pools" },
  { href: "/admin/audit", label: "Audit" },
  { href: "/admin/access", label: "Access" },
  { href: "/admin/api", label: "API" },
  { href: "/admin/settings/notifications", label: "Settings" },
];
const EMULATOR_NAV: NavItem = { href: "/admin/emulator", label: "Emulator" };

/**
 * The admin portal's navigation, on its own pages and on a tenant's page when an operator opens
 * it, so an operator never loses the way back. The emulator's page only for admins, only on it.
 */
export function adminNav(principal: Principal): NavItem[] {
  return readConfig().azure.mode === "emulator" && isAdmin(principal) ? [...NAV, EMULATOR_NAV] : NAV;
}
