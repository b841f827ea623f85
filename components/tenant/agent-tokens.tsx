"use client";

import { useState, useTransition } from "react";
import { rotateAgentToken } from "@/lib/actions/tunnels/rotate-agent-token";
import type { Side } from "@/lib/domain/tenant-options";

type Endpoint = { id: string; tunnelName: string; side: Side; hostname: string; rotatedAt: Date | null; hasToken: boolean };

const SIDE_LABEL = { source: "Source-site gateway", avs: "AVS edge bridge" } as const;

export function AgentTokens({ endpoints, canRotate }: { endpoints: Endpoint[]; canRotate: boolean }) {
  return (
    <section aria-labelledby="agent-tokens-heading" className="mt-8">
      <h2 id="agent-tokens-heading" className="text-lg font-semibold">
        Telemetry agent tokens
      </h2>
      {endpoints.length === 0 && <p className="mt-2 text-sm text-slate-600">No tunnel endpoints yet: they are made with the tenant&apos;s gateway configs.</p>}
      <ul className="mt-3 space-y-2">
        {endpoints.map((endpoint) => (
          <EndpointRow key={endpoint.id} endpoint={endpoint} canRotate={canRotate} />
        ))}
      </ul>
    </section>
  );
}

function EndpointRow({ endpoint, canRotate }: { endpoint: Endpoint; canRotate: boolean }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<Awaited<ReturnType<typeof rotateAgentToken>> | null>(null);
  const label = `${SIDE_LABEL[endpoint.side]} ${endpoint.hostname}`;
  return (
    <li className="rounded-md border border-slate-200 bg-white px-4 py-3" aria-label={label}>
      <div className="flex flex-wrap items-center gap-3">
        <span className="font-medium">{SIDE_LABEL[endpoint.side]}</span>
        <span className="font-mono text-sm">{endpoint.hostname}</span>
        <span className="text-sm text-slate-500">
          {endpoint.hasToken && endpoint.rotatedAt ? `token issued ${endpoint.rotatedAt.toISOString().slice(0, 16).replace("T", " ")} UTC` : "no token issued yet"}
        </span>
        {canRotate && (
          <button
            type="button"
            disabled={pending}
            onClick={() => start(async () => setResult(await rotateAgentToken({ id: endpoint.id })))}
            className="ml-auto rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-60"
          >
            {pending ? "Rotating…" : endpoint.hasToken ? "Rotate token" : "Issue token"}
          </button>
        )}
      </div>
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`mt-2 text-sm ${result.ok ? "text-slate-700" : "text-red-700"}`}>
          {result.message}
          {result.ok && <code className="mt-1 block break-all rounded bg-slate-100 p-2">{result.data.token}</code>}
        </p>
      )}
    </li>
  );
}
