import { adminNav } from "@/components/admin/admin-nav";
import { AppHeader } from "@/components/app-header";
import { requirePageAccess } from "@/lib/auth/page-guard";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  // Admins run the portal; NOC viewers may look around it read-only. Wall displays may not:
  // each admin page checks this too, since a layout is not re-run on client navigation.
  const { principal } = await requirePageAccess("portal:read");
  return (
    <div className="min-h-screen">
      <AppHeader home="/admin" area="admin" nav={adminNav(principal)} principal={principal} />
      <main className="mx-auto max-w-6xl px-6 py-8">{children}</main>
    </div>
  );
}
