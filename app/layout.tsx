import type { Metadata } from "next";
import { cookies } from "next/headers";
import { connection } from "next/server";
import { QueryProvider } from "@/components/providers/query-provider";
import { parseThemeChoice, THEME_COOKIE, themeClassOf } from "@/lib/theme/theme";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Bridgehead", template: "%s · Bridgehead" },
  description: "Layer-2 extension into Azure VMware Solution: tenants, VLANs, segments, tunnels",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts carry the nonce of that response's CSP
  // (proxy.ts), which a page prerendered at build time could not know.
  await connection();
  // The theme is in the first byte (no script before paint, no flash): see lib/theme/theme.ts.
  const theme = parseThemeChoice((await cookies()).get(THEME_COOKIE)?.value);
  return (
    <html lang="en" className={themeClassOf(theme)}>
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
