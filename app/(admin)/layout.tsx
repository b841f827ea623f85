import { AppHeader } from "@/components/app-header";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { isAdmin } from "@/lib/auth/permissions";
import { readConfig } from "@/lib/config";

const NAV = [
  { href: "/admin", label: "Overview" },
  { href: "/admin/warnings", label: "Warnings" },
  { href: "/admin/tenants", label: "Tenants" },
  { href: "/admin/clouds", label: "Private clouds" },
  { href: "/admin/pools", label: "VLAN pools" },
  { href: "/admin/audit", label: "Audit" },
  { href: "/admin/access", label: "Access" },
];
const EMULATOR_NAV = { href: "/admin/emulator", label: "Emulator" };

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  // Admins run the portal; NOC viewers may look around it read-only. Wall displays may not:
  // each admin page checks this too, since a layout is not re-run on client navigation.
  const { principal } = await requirePageAccess("portal:read");
  return (
    <div className="min-h-screen">
      <AppHeader home="/admin" area="admin" nav={readConfig().azure.mode === "emulator" && isAdmin(principal) ? [...NAV, EMULATOR_NAV] : NAV} principal={principal} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
