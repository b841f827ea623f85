import Link from "next/link";
import type { NavItem } from "@/components/admin/admin-nav";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { GlobalSearch } from "@/components/search/global-search";
import type { Principal } from "@/lib/auth/permissions";
import { searchScopeOf } from "@/lib/auth/search-scope";
import { readConfig } from "@/lib/config";
import { browserAuthConfig } from "@/lib/identity/client-config";


export function AppHeader({ home, area, nav, principal }: { home: string; area: string; nav: NavItem[]; principal: Principal }) {
  const scope = searchScopeOf(principal);
  return (
    <header className="border-b border-slate-200 bg-white">
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
          <span className="whitespace-nowrap text-slate-600">{principal.name}</span>
          <SignOutButton auth={browserAuthConfig(readConfig())} />
        </div>
      </div>
    </header>
  );
}
