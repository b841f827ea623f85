/**
 * The process's AVS clients, made once by server.ts when it starts (and the emulator with them
 * in the embedded mode). Route handlers and server actions are bundled separately from
 * server.ts, so the clients live in a process slot, as the database handle does.
 */
import type { AzureVMwareSolutionAPI } from "@azure/arm-avs";
import { processSlot } from "@/lib/server/process-slot";
import type { AvsEmulator } from "./emulator/server";
import type { SyncScope } from "./sync";

export type AvsRuntime = {
  /** For reads and operator actions: the SDK retries throttling and 5xx itself. */
  client: AzureVMwareSolutionAPI;
  /** For the provisioning job: retries are the job's, by rescheduling. */
  jobClient: AzureVMwareSolutionAPI;
  scope: SyncScope;
  mode: "azure" | "emulator";
  /** Only in the embedded mode: fault injection for tests and demos. */
  emulator?: AvsEmulator;
};

const avsRuntime = processSlot<AvsRuntime>("avs-runtime");

export function setAvsRuntime(runtime: AvsRuntime | undefined) {
  avsRuntime.set(runtime);
}

export function getAvsRuntime(): AvsRuntime {
  const runtime = avsRuntime.get();
  if (!runtime) throw new Error("The AVS client is not started: the console must be run through server.ts.");
  return runtime;
}
