/**
 * Every status the console shows, with its label and colour, in one table per kind so the admin
 * portal, the tenant view and the NOC wall never disagree. Colour is never the only signal:
 * each status also has a word and a symbol.
 */
export type StatusStyle = { label: string; symbol: string; className: string; description: string };

export const TUNNEL_STATUS = {
  operational: {
    label: "Operational",
    symbol: "●",
    className: "bg-status-operational text-white",
    description: "Both ends report, latency and loss within objective",
  },
  degraded: {
    label: "Degraded",
    symbol: "▲",
    className: "bg-status-degraded text-white",
    description: "Up, with a latency, loss or MTU warning",
  },
  down: { label: "Down", symbol: "✕", className: "bg-status-down text-white", description: "No traffic crosses the tunnel" },
  stale: {
    label: "Stale",
    symbol: "?",
    className: "bg-status-stale text-white",
    description: "No sample received for several intervals",
  },
  maintenance: {
    label: "Maintenance",
    symbol: "◆",
    className: "bg-status-maintenance text-white",
    description: "Warnings suppressed during planned work",
  },
} as const satisfies Record<string, StatusStyle>;

export type TunnelStatus = keyof typeof TUNNEL_STATUS;
export const TUNNEL_STATUSES = Object.keys(TUNNEL_STATUS) as TunnelStatus[];
