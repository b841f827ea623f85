import type { Metadata } from "next";
import { SignInPanel } from "@/components/auth/sign-in-panel";
import { readConfig } from "@/lib/config";
import { browserAuthConfig } from "@/lib/identity/client-config";

export const metadata: Metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function SignInPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  const config = readConfig();
  return (
    <main className="mx-auto mt-24 max-w-sm rounded-lg border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-bold tracking-tight">Bridgehead</h1>
      <p className="mb-6 mt-1 text-sm text-slate-600">Sign in to run, or see, your stretched networks.</p>
      <SignInPanel
        auth={browserAuthConfig(config)}
        returnTo={params.returnTo ?? null}
        signedOut={params.signedOut === "1"}
        providerName={config.identity.mode === "entra" ? "Microsoft" : "the built-in provider"}
      />
    </main>
  );
}
