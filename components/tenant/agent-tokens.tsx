"use client";

import { useState, useTransition } from "react";
import { revokePreviousAgentToken } from "@/lib/actions/tunnels/revoke-previous-agent-token";
import { rotateAgentToken } from "@/lib/actions/tunnels/rotate-agent-token";
import type { Side } from "@/lib/domain/tenant-options";
import type { TokenInUse } from "@/lib/queries/tunnels";

type Endpoint = {
  id: string;
  tunnelName: string;
  side: Side;
  hostname: string;
  rotatedAt: Date | null;
  hasToken: boolean;
  previousIssuedAt: Date | null;
  previousValidUntil: Date | null;
  tokenInUse: TokenInUse;
  lastSampleAt: Date | null;
};

const SIDE_LABEL = { source: "Source-site gateway", avs: "AVS edge bridge" } as const;

const utc = (date: Date) => `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;

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

/** Which token the agent last reported with, in words: what an operator needs before revoking. */
function tokenInUseText(endpoint: Endpoint): { text: string; warn: boolean } {
  const last = endpoint.lastSampleAt ? ` (last report ${utc(endpoint.lastSampleAt)})` : "";
  switch (endpoint.tokenInUse) {
    case "current":
      return { text: `The agent reports with the current token${last}.`, warn: false };
    case "previous":
      return { text: `The agent still reports with the previous token${last}: deploy the new one before ${utc(endpoint.previousValidUntil!)}.`, warn: true };
    case "retired":
      return { text: `The agent last reported${endpoint.lastSampleAt ? ` at ${utc(endpoint.lastSampleAt)}` : ""} with a token that no longer works: deploy the current one.`, warn: true };
    case null:
      return { text: "No report from this agent yet.", warn: false };
  }
}

function EndpointRow({ endpoint, canRotate }: { endpoint: Endpoint; canRotate: boolean }) {
  const [pending, start] = useTransition();
  const [result, setResult] = useState<Awaited<ReturnType<typeof rotateAgentToken>> | Awaited<ReturnType<typeof revokePreviousAgentToken>> | null>(null);
  const label = `${SIDE_LABEL[endpoint.side]} ${endpoint.hostname}`;
  const inUse = tokenInUseText(endpoint);
  return (
    <li className="rounded-md border border-slate-200 bg-white px-4 py-3" aria-label={label}>
      <div className="flex flex-wrap items-center gap-3">
        <span className="font-medium">{SIDE_LABEL[endpoint.side]}</span>
        <span className="font-mono text-sm">{endpoint.hostname}</span>
        <span className="text-sm text-slate-500">{endpoint.hasToken && endpoint.rotatedAt ? `token issued ${utc(endpoint.rotatedAt)}` : "no token issued yet"}</span>
        {canRotate && (
          <button
            type="button"
            disabled={pending}
            onClick={() => start(async () => setResult(await rotateAgentToken({ id: endpoint.id })))}
            className="ml-auto rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:opacity-60"
          >
            {pending ? "Working…" : endpoint.hasToken ? "Rotate token" : "Issue token"}
          </button>
        )}
      </div>
      {endpoint.previousValidUntil && (
        <div className="mt-2 flex flex-wrap items-center gap-3 text-sm">
          <span>
            Previous token{endpoint.previousIssuedAt ? ` (issued ${utc(endpoint.previousIssuedAt)})` : ""} still works until {utc(endpoint.previousValidUntil)}.
          </span>
          {canRotate && (
            <button
              type="button"
              disabled={pending}
              onClick={() => {
                if (window.confirm(`Stop the previous token of ${endpoint.hostname} now? An agent still using it stops reporting.`)) {
                  start(async () => setResult(await revokePreviousAgentToken({ id: endpoint.id })));
                }
              }}
              className="rounded-md border border-red-300 px-2 py-1 text-sm text-red-800 hover:bg-red-50 disabled:opacity-60"
            >
              Revoke previous token now
            </button>
          )}
        </div>
      )}
      {endpoint.hasToken && <p className={`mt-2 text-sm ${inUse.warn ? "text-amber-800" : "text-slate-600"}`}>{inUse.text}</p>}
      {result && (
        <p role={result.ok ? "status" : "alert"} className={`mt-2 text-sm ${result.ok ? "text-slate-700" : "text-red-700"}`}>
          {result.message}
          {result.ok && result.data && <code className="mt-1 block break-all rounded bg-slate-100 p-2">{result.data.token}</code>}
        </p>
      )}
    </li>
  );
}
