import type { BulkOutcome } from "@/lib/commands/bulk-onboard";

/** Each row of an import: the VLAN it got (or would get), or every field to fix. Bad rows first. */
export function ImportResults({ outcome }: { outcome: BulkOutcome }) {
  const rows = [...outcome.rows].sort((a, b) => Number(a.ok) - Number(b.ok) || a.row - b.row);
  const verb = outcome.committed ? "Onboarded" : "Would get";
  return (
    <table className="w-full border-collapse overflow-hidden rounded-lg bg-white text-sm" aria-label="Import results">
      <thead className="bg-slate-100 text-left">
        <tr>
          <th className="px-3 py-2">Row</th>
          <th className="px-3 py-2">Slug</th>
          <th className="px-3 py-2">Result</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.row} className="border-t border-slate-200 align-top">
            <td className="px-3 py-2 tabular-nums">{r.row}</td>
            <td className="px-3 py-2 font-mono">{r.slug ?? "—"}</td>
            <td className="px-3 py-2">
              {r.ok ? (
                <span>
                  ✓ {verb} VLAN {r.vlanId} (VNI {r.vni})
                </span>
              ) : (
                <ul className="text-red-800">
                  {Object.entries(r.errors).flatMap(([field, messages]) =>
                    (messages ?? []).map((message) => (
                      <li key={`${field}:${message}`}>
                        ✗ <span className="font-mono">{field}</span>: {message}
                      </li>
                    )),
                  )}
                  {Object.keys(r.errors).length === 0 && <li>✗ {r.message}</li>}
                </ul>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
