/**
 * What both wall benchmarks (bench/views.ts, bench/views-wall.ts) install in the page to time a
 * refresh, and the snapshot they serve it, a minute on each time.
 */
import type { NocSnapshot } from "@/lib/queries/noc";

/**
 * Installed before Playwright's clock, so it keeps the real performance.now and
 * requestAnimationFrame: times the /api/v1/noc response, its JSON parse, the commit that changes
 * the tiles (a MutationObserver on the list) and the frame after it.
 */
export const REFRESH_SCRIPT = `(() => {
  const now = performance.now.bind(performance);
  const frame = window.requestAnimationFrame.bind(window);
  const w = (window.__wall = { responses: [], commits: [], painted: [] });
  const fetchOriginal = window.fetch.bind(window);
  window.fetch = async (input, init) => {
    const response = await fetchOriginal(input, init);
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (url.includes("/api/v1/noc")) {
      const entry = { at: now(), parsedAt: null };
      w.responses.push(entry);
      const json = response.json.bind(response);
      response.json = async () => { const value = await json(); entry.parsedAt = now(); return value; };
    }
    return response;
  };
  const channel = new MessageChannel();
  channel.port1.onmessage = () => w.painted.push(now());
  const watch = () => {
    const list = document.querySelector('ul[aria-label="Tunnels"]');
    if (!list) return setTimeout(watch, 50);
    new MutationObserver(() => {
      w.commits.push(now());
      // After the next frame's callbacks come style, layout and paint; a message posted then runs after them.
      frame(() => channel.port2.postMessage(null));
    }).observe(list, { childList: true, subtree: true, characterData: true, attributes: true });
  };
  document.addEventListener("DOMContentLoaded", watch);
})();`;

/** The snapshot a minute on: every sparkline shifted by one point, every RTT moved a little. */
export function movedOn(base: NocSnapshot, step: number, at: Date): NocSnapshot {
  return {
    ...base,
    generatedAt: at.toISOString(),
    newestSampleAt: at.toISOString(),
    tiles: base.tiles.map((tile, index) => {
      const wobble = 1 + 0.1 * Math.sin(step + index);
      const shifted = Array.from({ length: tile.sparkline.length }, (_, k) => tile.sparkline[(k + step) % tile.sparkline.length] ?? null);
      return { ...tile, rttMs: tile.rttMs === null ? null : Math.round(tile.rttMs * wobble * 10) / 10, sparkline: shifted };
    }),
  };
}
