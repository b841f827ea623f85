"use client";

import { useRouter } from "next/navigation";
import { useEffect, useState } from "react";

/** Reads the display token from the URL fragment, trades it for a session, and forgets it. */
export function DisplayConnect() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const token = window.location.hash.slice(1);
    window.history.replaceState(null, "", window.location.pathname);
    if (!token) {
      setError("This link has no display token. Ask an admin for the display's link.");
      return;
    }
    void fetch("/api/noc/session", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token }),
    }).then(async (response) => {
      const body = (await response.json().catch(() => ({}))) as { home?: string; error?: string };
      if (response.ok && body.home) router.replace(body.home);
      else setError(body.error ?? `Could not connect (${response.status}).`);
    });
  }, [router]);
  return (
    <main className="grid min-h-screen place-items-center p-8 text-2xl">
      {error ? <p role="alert">{error}</p> : <p role="status">Connecting this display…</p>}
    </main>
  );
}
