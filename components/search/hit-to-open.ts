/**
 * Which result Enter opens in the search box. Pure, so the rule is tested without a browser.
 *
 * Results on screen may answer an earlier text: the box asks only once typing pauses, and keeps
 * the previous answer up while the next one loads. Enter then opens nothing rather than a result
 * of a query the operator has already typed past (typing "contoso-b" fast and pressing Enter
 * must not open "contoso", the one result of the text before).
 */
export function hitToOpen<T>(state: { hits: readonly T[]; active: number; typed: string; answered: string; stale: boolean }): T | undefined {
  if (state.stale || state.typed.trim() !== state.answered) return undefined;
  return state.hits[state.active] ?? (state.hits.length === 1 ? state.hits[0] : undefined);
}
