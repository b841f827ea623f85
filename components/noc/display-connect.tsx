"use client";

import { useRouter } from "next/navigation";
import { useEffect, useRef, useState } from "react";

/**
 * Reads the display token from the URL fragment, trades it for a session, and forgets it. A link
 * works once, so each token is posted once, even where React runs effects twice (development).
 * A new link pasted over a refused one changes only the fragment, which reloads nothing: the
 * page listens for that too.
 */
export function DisplayConnect() {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const posted = useRef(new Set<string>());
  useEffect(() => {
    const connect = () => {
      const token = window.location.hash.slice(1);
      // The wall's settings ride on the link (`/noc/connect?rotate=30&theme=light#…`) to the wall,
      // which validates them; the token does not stay in the address bar.
      const settings = window.location.search;
      window.history.replaceState(null, "", window.location.pathname + settings);
      if (!token) {
        if (posted.current.size === 0) setError("This link has no display token. Ask an admin for the display's link.");
        return;
      }
      if (posted.current.has(token)) return;
      posted.current.add(token);
      setError(null);
      void fetch("/api/noc/session", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ token }),
      }).then(
        async (response) => {
          const body = (await response.json().catch(() => ({}))) as { home?: string; error?: string };
          if (response.ok && body.home) router.replace(`${body.home}${settings}`);
          else setError(body.error ?? `Could not connect (${response.status}).`);
        },
        () => setError("Could not reach the console. Check the screen's network and open the link again."),
      );
    };
    connect();
    window.addEventListener("hashchange", connect);
    return () => window.removeEventListener("hashchange", connect);
  }, [router]);
  return (
    <main className="grid min-h-screen place-items-center p-8 text-2xl">
      {error ? <p role="alert">{error}</p> : <p role="status">Connecting this display…</p>}
    </main>
  );
}
