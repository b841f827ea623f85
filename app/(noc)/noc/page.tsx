import type { Metadata } from "next";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { TUNNEL_STATUS, TUNNEL_STATUSES } from "@/lib/domain/status";
import { getFleetSummary } from "@/lib/queries/fleet";

export const metadata: Metadata = { title: "NOC wall" };
export const dynamic = "force-dynamic";

export default async function NocWallPage() {
  const { db } = await requirePageAccess("fleet:read");
  const fleet = await getFleetSummary(db);
  return (
    <main className="p-8">
      <h1 className="text-3xl font-bold">Bridgehead NOC</h1>
      <ul aria-label="Tunnels by status" className="mt-6 grid grid-cols-5 gap-4">
        {TUNNEL_STATUSES.map((status) => (
          <li key={status} className={`rounded-lg p-4 ${TUNNEL_STATUS[status].className}`}>
            <span className="block text-lg">
              <span aria-hidden>{TUNNEL_STATUS[status].symbol} </span>
              {TUNNEL_STATUS[status].label}
            </span>
            <span className="block text-5xl font-bold tabular-nums">{fleet.tunnelsByStatus[status]}</span>
          </li>
        ))}
      </ul>
    </main>
  );
}
