/**
 * The stretch's timeline in words: each audit action that moves a stretch, with its label, and
 * the detail line the timeline shows from what the audit kept (the plan, the reason given to
 * override a pre-check, Azure's reason for a failure). The audit trail is the record; this only
 * reads it.
 */
export const STRETCH_EVENTS = {
  "tenant.onboard": "Onboarded: stretch begins",
  "stretch.plan": "Cut-over planned",
  "stretch.cancel-plan": "Plan cancelled",
  "stretch.cut-over": "Cut-over started",
  "stretch.cut-over.done": "Cut over: the Tier-1 routes the subnet",
  "stretch.cut-over.failed": "Cut-over failed",
  "stretch.roll-back": "Rollback started",
  "stretch.roll-back.done": "Rolled back: the gateway is at the source again",
  "stretch.roll-back.failed": "Rollback failed",
  "stretch.retry": "Retried",
  "stretch.unextend": "Unextended: tunnels retired, segment kept",
  "tenant.offboard": "Offboarding started",
  "tenant.offboarded": "Offboarded",
} as const;
export type StretchEventAction = keyof typeof STRETCH_EVENTS;

function isStretchEvent(action: string): action is StretchEventAction {
  return Object.hasOwn(STRETCH_EVENTS, action);
}

const text = (value: unknown): string | null => (typeof value === "string" && value.trim() !== "" ? value : null);

/** An audit action's timeline label and detail, or null for an action that is not part of the story. */
export function stretchEventOf(action: string, after: unknown): { label: string; detail: string | null } | null {
  if (!isStretchEvent(action)) return null;
  const facts = (after && typeof after === "object" ? after : {}) as Record<string, unknown>;
  const details: string[] = [];
  if (action === "stretch.plan") {
    const parts = [text(facts.gatewayAddress) && `gateway ${facts.gatewayAddress as string}`, text(facts.tier1Id) && `on ${facts.tier1Id as string}`, text(facts.plannedCutoverOn) && `for ${facts.plannedCutoverOn as string}`];
    details.push(parts.filter(Boolean).join(" "));
  }
  const overridden = Array.isArray(facts.overridden) ? (facts.overridden as { id?: unknown; outcome?: unknown }[]) : [];
  if (overridden.length > 0) details.push(`past ${overridden.map((c) => `${String(c.id)} (${String(c.outcome)})`).join(", ")}`);
  if (text(facts.reason)) details.push(`reason: “${facts.reason as string}”`);
  if (text(facts.error)) details.push(facts.error as string);
  if (Array.isArray(facts.tunnelsRetired) && facts.tunnelsRetired.length > 0) details.push(`retired ${(facts.tunnelsRetired as unknown[]).map(String).join(", ")}`);
  const detail = details.filter((d) => d !== "").join("; ");
  return { label: STRETCH_EVENTS[action], detail: detail === "" ? null : detail };
}
