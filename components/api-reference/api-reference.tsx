"use client";

import dynamic from "next/dynamic";

/**
 * The renderer (Swagger UI, about 1.5 MB of script) is loaded here and nowhere else: a dynamic
 * import puts it in chunks of its own that only this page asks for.
 */
const SwaggerView = dynamic(() => import("./swagger-view").then((module) => module.SwaggerView), {
  ssr: false,
  loading: () => <p role="status" className="text-sm text-slate-600">Loading the API reference…</p>,
});

export function ApiReference() {
  return <SwaggerView />;
}
