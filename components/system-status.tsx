import type { HealthReport } from "@/lib/health";

const MODE_LABELS = {
  database: { pglite: "Embedded PGlite", postgres: "PostgreSQL" },
  azure: { emulator: "Built-in AVS emulator", azure: "Azure Resource Manager" },
  identity: { builtin: "Built-in sign-in", entra: "Microsoft Entra ID" },
} as const;

export function SystemStatus({ report }: { report: HealthReport }) {
  const rows = [
    { name: "Database", value: MODE_LABELS.database[report.database] },
    { name: "Azure", value: MODE_LABELS.azure[report.azure] },
    { name: "Identity", value: MODE_LABELS.identity[report.identity] },
  ];
  return (
    <section aria-labelledby="system-status-heading" className="rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="system-status-heading" className="text-sm font-semibold uppercase tracking-wide text-slate-500">
        System status
      </h2>
      <p className="mt-2 flex items-center gap-2 text-lg font-medium" role="status">
        <span
          aria-hidden
          className={`inline-block h-3 w-3 rounded-full ${report.status === "ok" ? "bg-status-operational" : "bg-status-down"}`}
        />
        {report.status === "ok" ? "All systems answering" : `Database unavailable: ${report.checks.database.error}`}
      </p>
      <dl className="mt-4 grid grid-cols-[max-content_1fr] gap-x-6 gap-y-1 text-sm">
        {rows.map((row) => (
          <div key={row.name} className="contents">
            <dt className="text-slate-500">{row.name}</dt>
            <dd>{row.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
