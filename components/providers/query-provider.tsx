"use client";

import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { useState } from "react";
// Before any form validates: the browser's zod must not probe for eval (the CSP forbids it).
import "@/lib/client/zod-jitless";

export function QueryProvider({ children }: { children: React.ReactNode }) {
  // One client per browser tab; data the server rendered is fresh for a few seconds, so
  // hydration does not trigger an immediate refetch.
  const [client] = useState(() => new QueryClient({ defaultOptions: { queries: { staleTime: 5_000, refetchOnWindowFocus: true } } }));
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
