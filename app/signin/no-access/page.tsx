import type { Metadata } from "next";
import { SignOutButton } from "@/components/auth/sign-out-button";
import { readConfig } from "@/lib/config";
import { browserAuthConfig } from "@/lib/identity/client-config";

export const metadata: Metadata = { title: "No access yet" };
export const dynamic = "force-dynamic";

export default function NoAccessPage() {
  return (
    <main className="mx-auto mt-24 max-w-md rounded-lg border border-slate-200 bg-white p-8">
      <h1 className="text-2xl font-bold tracking-tight">No access yet</h1>
      <p className="mt-2 text-slate-600">
        You are signed in, but your account has no Bridgehead role and is not a member of any tenant. Ask a
        Bridgehead administrator to add your sign-in name to your organisation&apos;s tenant.
      </p>
      <div className="mt-6">
        <SignOutButton auth={browserAuthConfig(readConfig())} />
      </div>
    </main>
  );
}
