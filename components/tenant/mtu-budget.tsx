import { computeMtuBudget, describeMtuShortfall } from "@/lib/domain/mtu";
import type { Encapsulation, Transport } from "@/lib/domain/tenant-options";

export function MtuBudget(props: { underlayMtu: number; encapsulation: Encapsulation; transport: Transport; underlayAddress: string }) {
  const budget = computeMtuBudget({
    underlayMtu: props.underlayMtu,
    encapsulation: props.encapsulation,
    transport: props.transport,
    underlayFamily: props.underlayAddress.includes(":") ? "ipv6" : "ipv4",
  });
  const shortfall = describeMtuShortfall(budget);
  return (
    <section aria-labelledby="mtu-heading" className="mt-8 rounded-lg border border-slate-200 bg-white p-5">
      <h2 id="mtu-heading" className="text-lg font-semibold">
        MTU budget
      </h2>
      <p className="mt-2 font-mono text-sm">{budget.arithmetic.join(" ")}</p>
      {shortfall ? (
        <p role="alert" className="mt-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {shortfall}
        </p>
      ) : (
        <p className="mt-3 text-sm text-green-800">1500-byte frames cross the tunnel without fragmentation.</p>
      )}
    </section>
  );
}
