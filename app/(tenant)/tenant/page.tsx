import { redirect } from "next/navigation";
import { getPagePrincipal } from "@/lib/auth/guards";
import { homePathFor } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

/** "My network": a tenant user's own tenant page; everyone else goes to their own home. */
export default async function TenantHomePage() {
  const { principal } = await getPagePrincipal();
  if (!principal) redirect("/signin?returnTo=%2Ftenant");
  redirect(homePathFor(principal));
}
