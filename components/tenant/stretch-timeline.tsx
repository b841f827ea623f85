import { STRETCH_STAGE, type StretchStage } from "@/lib/domain/status";
import type { StretchView } from "@/lib/queries/stretch";

/** The forward path of a stretch, in order; the "-ing" stages show as the step they lead to. */
const PATH: StretchStage[] = ["extending", "cutover-planned", "cut-over", "unextended"];
const SHOWN_AS: Record<StretchStage, StretchStage> = {
  extending: "extending",
  "cutover-planned": "cutover-planned",
  "cutting-over": "cutover-planned",
  "cut-over": "cut-over",
  "rolling-back": "cut-over",
  unextended: "unextended",
};

/** Where the stretch stands on its path: the steps behind, the current one, the ones ahead. */
export function StretchPath({ stage }: { stage: StretchStage }) {
  const current = PATH.indexOf(SHOWN_AS[stage]);
  return (
    <ol aria-label="Stretch stages" className="flex flex-wrap items-center gap-2 text-sm">
      {PATH.map((step, i) => (
        <li
          key={step}
          aria-current={i === current ? "step" : undefined}
          className={`rounded-full border px-3 py-1 ${i === current ? "border-sky-700 bg-sky-50 font-semibold text-sky-900" : i < current ? "border-slate-300 text-slate-600" : "border-dashed border-slate-300 text-slate-500"}`}
        >
          {i < current && <span aria-hidden>✓ </span>}
          {STRETCH_STAGE[step].label}
        </li>
      ))}
    </ol>
  );
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Every step of the stretch, oldest first, with when, who and why (the audit trail's stretch events). */
export function StretchTimeline({ entries }: { entries: StretchView["timeline"] }) {
  if (entries.length === 0) return <p className="text-sm text-slate-600">No step recorded yet.</p>;
  return (
    <ol aria-label="Stretch timeline" className="space-y-2 border-l-2 border-slate-200 pl-4">
      {entries.map((entry) => (
        <li key={entry.id} className="text-sm">
          <p>
            <span className="font-medium">{entry.label}</span>
            <span className="text-slate-600">
              {" "}
              — <time dateTime={entry.at}>{when(entry.at)}</time> by {entry.actor}
            </span>
          </p>
          {entry.detail && <p className="text-slate-700">{entry.detail}</p>}
        </li>
      ))}
    </ol>
  );
}
