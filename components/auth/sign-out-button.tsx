"use client";

import { useState } from "react";
import type { BrowserAuthConfig } from "@/lib/identity/client-config";

/** Ends the console session, then the identity provider's (so the next sign-in asks again). */
export function SignOutButton({ auth, className }: { auth: BrowserAuthConfig; className?: string }) {
  const [busy, setBusy] = useState(false);
  async function signOut() {
    setBusy(true);
    await fetch("/api/auth/signout", { method: "POST" });
    // MSAL is loaded on the click, not with the page: every admin and tenant page has this
    // button, and MSAL would otherwise be their largest script (bench/views.ts).
    const { getMsalInstance } = await import("./msal-instance");
    const msal = getMsalInstance(auth);
    await msal.initialize();
    const account = msal.getAllAccounts()[0] ?? null;
    // MSAL does not send id_token_hint by itself; without it the provider ignores the return URL.
    await msal.logoutRedirect({ account, idTokenHint: account?.idToken, postLogoutRedirectUri: auth.postLogoutRedirectUri });
  }
  return (
    <button
      type="button"
      onClick={() => void signOut()}
      disabled={busy}
      className={className ?? "rounded-md border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-100"}
    >
      {busy ? "Signing out…" : "Sign out"}
    </button>
  );
}
