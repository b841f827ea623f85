import { adminNav } from "@/components/admin/admin-nav";
import { AppHeader, MAIN_CONTENT_ID } from "@/components/app-header";
import { requirePageAccess } from "@/lib/auth/page-guard";

export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  // Admins run the portal; NOC viewers may look around it read-only. Wall displays may not:
  // each admin page checks this too, since a layout is not re-run on client navigation.
  const { principal } = await requirePageAccess("portal:read");
  return (
    <div className="min-h-screen">
      <AppHeader home="/admin" area="admin" nav={adminNav(principal)} principal={principal} />
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="mx-auto max-w-6xl px-6 py-8 focus:outline-none">{children}</main>
    </div>
  );
}
