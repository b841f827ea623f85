import { formatInstant } from "@/lib/charts/ticks";
import type { WarningMute } from "@/lib/queries/notifications";

const WORDS = { silence: "Silenced", maintenance: "Maintenance", inhibited: "Inhibited" } as const;
// Symbols the console's fonts carry (DejaVu): an emoji bell showed as a box.
const SYMBOLS = { silence: "⊘", maintenance: "◆", inhibited: "↓" } as const;

/** What keeps a warning out of notifications now: shown on the warning itself, with who, why and until when. */
export function WarningMutes({ mutes }: { mutes: WarningMute[] | undefined }) {
  if (!mutes?.length) return null;
  return (
    <ul aria-label="Quiet in notifications" className="flex flex-col gap-1">
      {mutes.map((m, i) => (
        <li key={i} className="rounded bg-indigo-50 px-2 py-1 text-xs text-indigo-900">
          <span aria-hidden>{SYMBOLS[m.kind]} </span>
          <strong>{WORDS[m.kind]}</strong>
          {m.kind === "silence" && <> ({m.owner === "operators" ? "operators' rules" : "this tenant's rules"})</>}
          {m.until && <> until {formatInstant(Date.parse(m.until))}</>}
          {m.by && <> by {m.by}</>}: {m.reason}
        </li>
      ))}
    </ul>
  );
}
