import { StatusBadge } from "@/components/status-badge";
import { CHECK_OUTCOME } from "@/lib/domain/status";
import type { CheckResult } from "@/lib/stretch/checks/types";

/**
 * A step's pre-checks as a list: pass / warn / fail in words and symbols, the one-line summary,
 * and the evidence behind it folded underneath (MAC lists can be long).
 */
export function StretchChecks({ title, results }: { title: string; results: CheckResult[] }) {
  const id = `checks-${title.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
  return (
    <div className="space-y-2">
      <h3 id={id} className="font-medium">
        {title}
      </h3>
      <ul aria-labelledby={id} className="divide-y divide-slate-200 rounded-md border border-slate-200">
        {results.map((check) => (
          <li key={check.id} aria-label={`${check.title}: ${CHECK_OUTCOME[check.outcome].label}`} className="space-y-1 px-3 py-2">
            <div className="flex flex-wrap items-center gap-2">
              <StatusBadge status={CHECK_OUTCOME[check.outcome]} />
              <span className="text-sm font-medium">{check.title}</span>
            </div>
            <p className="text-sm text-slate-700">{check.summary}</p>
            {check.evidence.length > 0 && (
              <details className="text-sm">
                <summary className="cursor-pointer text-slate-600">Evidence ({check.evidence.length})</summary>
                <ul className="mt-1 list-disc space-y-0.5 pl-5 font-mono text-xs text-slate-700">
                  {check.evidence.map((line, i) => (
                    <li key={i}>{line}</li>
                  ))}
                </ul>
              </details>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
