import { cookies } from "next/headers";
import Link from "next/link";
import type { NavItem } from "@/components/admin/admin-nav";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { GlobalSearch } from "@/components/search/global-search";
import type { Principal } from "@/lib/auth/permissions";
import { searchScopeOf } from "@/lib/auth/search-scope";
import { readConfig } from "@/lib/config";
import { browserAuthConfig } from "@/lib/identity/client-config";
import { parseThemeChoice, THEME_COOKIE } from "@/lib/theme/theme";
import { KeyboardShortcuts } from "./shortcuts/keyboard-shortcuts";
import { ThemeToggle } from "./theme/theme-toggle";

/** The id every page's <main> carries, for the skip link. */
export const MAIN_CONTENT_ID = "main-content";

export async function AppHeader({ home, area, nav, principal }: { home: string; area: string; nav: NavItem[]; principal: Principal }) {
  const scope = searchScopeOf(principal);
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
  // An operator's `g w` / `g t` go to the portal's lists; a tenant's own user has one network,
  // its warnings on its page.
  const portal = home === "/admin";
  const shortcuts = portal ? { warningsHref: "/admin/warnings", tenantsHref: "/admin/tenants" } : { warningsHref: `${home}#warnings-heading`, tenantsHref: home };
  return (
    <header className="border-b border-slate-200 bg-white">
      <a
        href={`#${MAIN_CONTENT_ID}`}
        className="sr-only rounded bg-sky-700 px-3 py-2 font-medium text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
      >
        Skip to main content
      </a>
      <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-6 gap-y-2 px-6 py-3">
        <Link href={home} className="whitespace-nowrap font-bold tracking-tight">
          Bridgehead <span className="font-normal text-slate-500">{area}</span>
        </Link>
        <nav aria-label={area} className="flex gap-4 text-sm">
          {nav.map((item) => (
            <Link key={item.href} href={item.href} className="whitespace-nowrap text-slate-700 hover:text-sky-700">
              {item.label}
            </Link>
          ))}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          {scope &&
            (scope.kind === "fleet" ? (
              <GlobalSearch label="Search the fleet" placeholder="Search IP, MAC, VLAN, name" />
            ) : (
              <GlobalSearch label="Search my network" placeholder="Search IP, MAC, gateway" />
            ))}
          <ThemeToggle initial={theme} />
          <KeyboardShortcuts {...shortcuts} />
          <span className="whitespace-nowrap text-slate-600">{principal.name}</span>
          <SignOutButton auth={browserAuthConfig(readConfig())} />
        </div>
      </div>
    </header>
  );
}
