/**
 * Azure's side of the provisioning job, with no database in it: polling and resuming a
 * long-running ARM operation, the segment the console wants, how an actual one compares, and
 * Azure's errors and Retry-After in the words an operator reads.
 */
import type { WorkloadNetworkSegment } from "@azure/arm-avs";
import { isRestError, type RestError } from "@azure/core-rest-pipeline";
import type { segments } from "@/lib/db/schema";
import { tier1IdOf, tier1Path } from "@/lib/domain/stretch";

export type PollOutcome = { status: "running" } | { status: "failed"; reason: string } | { status: "succeeded"; result: unknown };

async function pollOnce(
  poller: { poll(options?: { abortSignal?: AbortSignal }): Promise<void>; isDone(): boolean; getResult(): unknown; getOperationState(): { status: string; error?: Error } },
  abortSignal: AbortSignal,
): Promise<PollOutcome> {
  try {
    await poller.poll({ abortSignal });
  } catch (error) {
    // A failed operation surfaces as a thrown error; a transport error is transient.
    if (!(isRestError(error)) || poller.getOperationState().status === "failed") {
      return { status: "failed", reason: describeAzureError(error) };
    }
    throw error;
  }
  const state = poller.getOperationState();
  if (state.status === "failed" || state.status === "canceled") return { status: "failed", reason: describeAzureError(state.error) };
  if (!poller.isDone()) return { status: "running" };
  return { status: "succeeded", result: poller.getResult() };
}

type Poller = Parameters<typeof pollOnce>[0] & { toString(): string };

/** Resumes a recorded operation and polls it once; the SDK may already poll while resuming. */
export async function resume<P extends Poller>(signal: () => AbortSignal, start: () => Promise<P>): Promise<{ poller: P | null; outcome: PollOutcome } | "forget"> {
  let poller: P;
  try {
    poller = await start();
  } catch (error) {
    // Resuming polls at once: a failed create shows up here as a plain Error.
    if (!isRestError(error)) return { poller: null, outcome: { status: "failed", reason: describeAzureError(error) } };
    return forgetUnreachableOperation(error);
  }
  const outcome = await pollOnce(poller, signal()).catch(forgetUnreachableOperation);
  return outcome === "forget" ? "forget" : { poller, outcome };
}

/**
 * An operation whose status URL no longer answers (no HTTP status: the endpoint is gone, as when
 * the emulator came back on another port; or 404: Azure purged the record) is forgotten: the segment itself, found by its
 * stable id, says where things stand, and the next step reads it.
 */
function forgetUnreachableOperation(error: unknown): "forget" {
  // No answer, or Azure no longer knows the operation (old records are purged): read the segment.
  if (isRestError(error) && (error.statusCode === undefined || error.statusCode === 404)) return "forget";
  throw error;
}

/**
 * What the segment must look like: on its Tier-1 (as the Tier-1's policy path, which is what the
 * AVS examples send and what Azure's gateways list answers) with its gateway address once the
 * default gateway is in AVS; else a plain L2 segment with no gateway, the edge bridge carrying it
 * to the source.
 */
export function desiredSegment(segment: Pick<typeof segments.$inferSelect, "displayName" | "tier1GatewayId" | "gatewayAddress">): WorkloadNetworkSegment {
  if (!segment.gatewayAddress || !segment.tier1GatewayId) return { displayName: segment.displayName };
  return { displayName: segment.displayName, connectedGateway: tier1Path(segment.tier1GatewayId), subnet: { gatewayAddress: segment.gatewayAddress } };
}

/** The VM ports Azure lists on the segment: what offboarding's pre-check asks about. */
export function portVifsOf(segment: WorkloadNetworkSegment): string[] {
  return (segment.portVif ?? []).map((port) => port.portName ?? "").filter((name) => name !== "");
}

export function matches(actual: WorkloadNetworkSegment, desired: WorkloadNetworkSegment): boolean {
  return (
    actual.displayName === desired.displayName &&
    // A segment made before the console sent the Tier-1's path holds the bare id: the same Tier-1.
    tier1IdOf(actual.connectedGateway) === tier1IdOf(desired.connectedGateway) &&
    (actual.subnet?.gatewayAddress ?? null) === (desired.subnet?.gatewayAddress ?? null)
  );
}

export function retryAfter(error: RestError): number | undefined {
  const header = error.response?.headers.get("retry-after");
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

export function describeAzureError(error: unknown): string {
  if (isRestError(error)) {
    const body = error.details as { error?: { code?: string; message?: string } } | undefined;
    const code = body?.error?.code ?? error.code ?? "Error";
    const message = body?.error?.message ?? error.message;
    return `Azure answered ${error.statusCode ?? "with an error"} ${code}: ${message}`.slice(0, 500);
  }
  if (error instanceof Error) return error.message.slice(0, 500);
  return "Unknown error";
}
