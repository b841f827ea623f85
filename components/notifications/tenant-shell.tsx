import { adminNav } from "@/components/admin/admin-nav";
import { AppHeader, MAIN_CONTENT_ID } from "@/components/app-header";
import type { Principal } from "@/lib/auth/permissions";

/** The header a tenant's sub-pages share with its page: the tenant's own users see their network, operators keep the admin portal. */
export function TenantShell({ principal, slug, children }: { principal: Principal; slug: string; children: React.ReactNode }) {
  const ownNetwork = principal.kind === "user" && principal.tenant !== null;
  return (
    <>
      {ownNetwork ? <AppHeader home={`/t/${slug}`} area="my network" nav={[]} principal={principal} /> : <AppHeader home="/admin" area="admin" nav={adminNav(principal)} principal={principal} />}
      <main id={MAIN_CONTENT_ID} tabIndex={-1} className="mx-auto max-w-6xl space-y-10 px-6 py-8 focus:outline-none">{children}</main>
    </>
  );
}
