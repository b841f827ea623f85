import type { Metadata } from "next";
import { notFound } from "next/navigation";
import { FaultForm } from "@/components/emulator/fault-form";
import { requirePageAccess } from "@/lib/auth/page-guard";
import { readConfig } from "@/lib/config";

export const metadata: Metadata = { title: "AVS emulator" };
export const dynamic = "force-dynamic";

export default async function EmulatorPage() {
  await requirePageAccess("fleet:write");
  if (readConfig().azure.mode !== "emulator") notFound();
  return (
    <div className="max-w-4xl space-y-6">
      <h1 className="text-2xl font-bold tracking-tight">AVS emulator</h1>
      <p className="text-sm text-slate-600">
        The console is connected to its built-in AVS emulator, reached through the same Azure SDK as real Azure.
        Make it misbehave to see how provisioning copes: a failed operation leaves the segment failed with
        Azure&apos;s reason and a retry; throttling is waited out as long as Retry-After says.
      </p>
      <FaultForm />
    </div>
  );
}
