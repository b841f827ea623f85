import type { Metadata } from "next";
import { connection } from "next/server";
import { QueryProvider } from "@/components/providers/query-provider";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Bridgehead", template: "%s · Bridgehead" },
  description: "Layer-2 extension into Azure VMware Solution: tenants, VLANs, segments, tunnels",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page is rendered per request: its scripts carry the nonce of that response's CSP
  // (proxy.ts), which a page prerendered at build time could not know.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <QueryProvider>{children}</QueryProvider>
      </body>
    </html>
  );
}
