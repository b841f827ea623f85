/**
 * The admin and tenant views' keyboard shortcuts, as GitHub and Grafana users expect them: `/`
 * to search, `g` then a letter to go somewhere, `?` for the list. The list the `?` dialog shows
 * is this table, so the help cannot drift from what the keys do.
 *
 * Pure: the component feeds it key presses with their time; a `g` waits at most
 * SEQUENCE_TIMEOUT_MS for its second key, measured from the press, not by a timer.
 */

export type ShortcutAction = "search" | "warnings" | "tenants" | "help";

export type Shortcut = { keys: readonly string[]; action: ShortcutAction; description: string };

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ["/"], action: "search", description: "Focus the search box" },
  { keys: ["g", "w"], action: "warnings", description: "Go to warnings" },
  { keys: ["g", "t"], action: "tenants", description: "Go to tenants" },
  { keys: ["?"], action: "help", description: "Show these shortcuts" },
];

/** How long a started sequence (`g`) waits for its next key. */
export const SEQUENCE_TIMEOUT_MS = 1_500;

export type SequenceState = { keys: readonly string[]; at: number };
export const EMPTY_SEQUENCE: SequenceState = { keys: [], at: 0 };

export type KeyPress = {
  key: string;
  at: number;
  ctrlKey?: boolean;
  metaKey?: boolean;
  altKey?: boolean;
};

/**
 * One key press: the action it completes, if any, the state to keep, and whether the press was
 * taken (its default should be prevented: `/` must not type into the box it focuses). A press
 * with Ctrl, ⌘ or Alt is the browser's or the system's, never ours.
 */
export function pressKey(state: SequenceState, press: KeyPress): { action: ShortcutAction | null; state: SequenceState; taken: boolean } {
  if (press.ctrlKey || press.metaKey || press.altKey) return { action: null, state: EMPTY_SEQUENCE, taken: false };
  const fresh = state.keys.length > 0 && press.at - state.at <= SEQUENCE_TIMEOUT_MS && press.at >= state.at;
  const keys = [...(fresh ? state.keys : []), press.key];
  const complete = SHORTCUTS.find((s) => sameKeys(s.keys, keys));
  if (complete) return { action: complete.action, state: EMPTY_SEQUENCE, taken: true };
  if (SHORTCUTS.some((s) => startsWith(s.keys, keys))) return { action: null, state: { keys, at: press.at }, taken: true };
  // Not a shortcut after a `g`: start again from this key alone (`g g w` still goes to warnings).
  if (fresh) return pressKey(EMPTY_SEQUENCE, press);
  return { action: null, state: EMPTY_SEQUENCE, taken: false };
}

function sameKeys(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((key, i) => key === b[i]);
}

function startsWith(whole: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length < whole.length && prefix.every((key, i) => key === whole[i]);
}

/** What an element is, as far as typing goes (a DOM element has these properties). */
export type KeyTarget = { tagName: string; isContentEditable?: boolean; type?: string } | null;

/** Input types that take no text: a key pressed on them is not typing. */
const NON_TEXT_INPUTS = new Set(["checkbox", "radio", "button", "submit", "reset", "range", "color", "file", "image"]);

/** Whether keys pressed with focus here are someone typing (then no shortcut fires). */
export function isTypingTarget(target: KeyTarget): boolean {
  if (!target) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName.toUpperCase();
  if (tag === "TEXTAREA" || tag === "SELECT") return true;
  if (tag === "INPUT") return !NON_TEXT_INPUTS.has((target.type ?? "text").toLowerCase());
  return false;
}
