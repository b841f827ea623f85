/**
 * A private cloud's VLAN pool as the API shows it: the rules, counts and holders, and the free
 * IDs in the order onboarding hands them out (lowest first), so "next free VLAN" here is the one
 * an onboarding with `vlan: "next"` would take, barring a race.
 */
import "server-only";
import type { Database } from "@/lib/db/client";
import { getPoolView } from "@/lib/queries/pools";
import { isUuid } from "@/lib/validation/api";

export async function readPool(db: Database, cloudId: string) {
  if (!isUuid(cloudId)) return null;
  const view = await getPoolView(db, cloudId);
  if (!view) return null;
  const free = view.cells.filter((cell) => cell.state === "free").map((cell) => cell.vlanId);
  return { view, free };
}
