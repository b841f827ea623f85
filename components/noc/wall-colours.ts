import { TUNNEL_STATUS, type TunnelStatus } from "@/lib/domain/status";

/**
 * The wall's colours for a tunnel status: the console's status colours, except that in the dark
 * theme healthy is a deep green with light text, so in a dim room the eye goes to the problems
 * and hundreds of healthy tiles (and their count) do not glare.
 */
export const WALL_STATUS_CLASS: Record<TunnelStatus, string> = {
  operational: `${TUNNEL_STATUS.operational.className} dark:bg-green-950 dark:text-green-100`,
  degraded: TUNNEL_STATUS.degraded.className,
  down: TUNNEL_STATUS.down.className,
  stale: TUNNEL_STATUS.stale.className,
  maintenance: TUNNEL_STATUS.maintenance.className,
};
