"use client";

import { broadcastResponseToMainFrame } from "@azure/msal-browser/redirect-bridge";
import { useEffect, useState } from "react";

export function RedirectBridge() {
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    broadcastResponseToMainFrame().catch((cause: unknown) =>
      setError(cause instanceof Error ? cause.message : "The sign-in response could not be read."),
    );
  }, []);
  return (
    <main className="mx-auto mt-24 max-w-sm text-center text-slate-600">
      {error ? (
        <p role="alert">
          {error} <a href="/signin" className="text-sky-700 underline">Sign in again</a>
        </p>
      ) : (
        <p role="status">Completing sign-in…</p>
      )}
    </main>
  );
}
