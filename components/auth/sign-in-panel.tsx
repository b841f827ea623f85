"use client";

import { EventType, InteractionStatus, type AuthenticationResult, type EventMessage } from "@azure/msal-browser";
import { MsalProvider, useMsal } from "@azure/msal-react";
import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";
import { safeReturnPath } from "@/lib/auth/return-path";
import type { BrowserAuthConfig } from "@/lib/identity/client-config";
import { getMsalInstance, SIGN_IN_SCOPES } from "./msal-instance";

type Props = { auth: BrowserAuthConfig; returnTo: string | null; signedOut: boolean; providerName: string };

export function SignInPanel(props: Props) {
  const [msal] = useState(() => getMsalInstance(props.auth));
  return (
    <MsalProvider instance={msal}>
      <SignInFlow {...props} />
    </MsalProvider>
  );
}

function SignInFlow({ returnTo, signedOut, providerName }: Props) {
  const { instance, inProgress } = useMsal();
  const router = useRouter();
  const [state, setState] = useState<{ phase: "idle" | "exchanging" | "error"; message?: string }>({ phase: "idle" });

  // Registered in a child effect, which runs before MsalProvider's own effect processes the
  // redirect response, so the success event is not missed.
  useEffect(() => {
    const id = instance.addEventCallback((event: EventMessage) => {
      if (event.eventType === EventType.LOGIN_SUCCESS) {
        const result = event.payload as AuthenticationResult;
        setState({ phase: "exchanging" });
        void exchange(result.idToken);
      } else if (event.eventType === EventType.ACQUIRE_TOKEN_FAILURE) {
        setState({ phase: "error", message: `Sign-in did not complete: ${event.error?.message ?? "unknown error"}` });
      }
    });
    return () => {
      if (id) instance.removeEventCallback(id);
    };

    // The redirect bridge brings the browser back to this page with its returnTo intact.
    async function exchange(idToken: string) {
      const response = await fetch("/api/auth/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ idToken }),
      });
      const body = (await response.json().catch(() => ({}))) as { home?: string; error?: string };
      if (!response.ok || !body.home) {
        setState({ phase: "error", message: body.error ?? `Sign-in failed (${response.status}).` });
        return;
      }
      router.replace(safeReturnPath(returnTo) ?? body.home);
      router.refresh();
    }
  }, [instance, router, returnTo]);

  async function startSignIn() {
    // The server keeps the nonce in an httpOnly cookie and will accept only an ID token carrying it.
    const response = await fetch("/api/auth/nonce", { method: "POST" });
    if (!response.ok) {
      setState({ phase: "error", message: `Could not start signing in (${response.status}). Try again.` });
      return;
    }
    const { nonce } = (await response.json()) as { nonce: string };
    await instance.loginRedirect({ scopes: SIGN_IN_SCOPES, prompt: "login", nonce });
  }

  const busy = inProgress !== InteractionStatus.None || state.phase === "exchanging";
  return (
    <div className="space-y-4">
      {signedOut && state.phase === "idle" && (
        <p role="status" className="rounded-md bg-slate-100 px-3 py-2 text-sm">
          You are signed out.
        </p>
      )}
      {state.phase === "error" && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800">
          {state.message}
        </p>
      )}
      <button
        type="button"
        disabled={busy}
        onClick={() => void startSignIn()}
        className="w-full rounded-md bg-sky-700 px-4 py-2.5 font-medium text-white hover:bg-sky-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-sky-700 disabled:opacity-60"
      >
        {busy ? "Signing in…" : `Sign in with ${providerName}`}
      </button>
    </div>
  );
}
