import type { StatusStyle } from "@/lib/domain/status";

/** A status as a word with a symbol, never colour alone. */
export function StatusBadge({ status }: { status: StatusStyle }) {
  return (
    <span className={`inline-flex items-center gap-1 rounded px-2 py-0.5 text-xs font-medium ${status.className}`} title={status.description}>
      {status.symbol && <span aria-hidden>{status.symbol}</span>}
      {status.label}
    </span>
  );
}
