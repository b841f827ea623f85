/** Polling the long-running operations the segment routes start, both ways ARM offers. */
import { ArmError, operationStatusBody, segmentResource } from "../arm";
import { type EmulatorContext, LOCATION, requireSubscription } from "../context";
import type { Router } from "../router";
import { operationStatus } from "../store";
import { operationUrl } from "./segments";

export function addOperationRoutes(arm: Router, ctx: EmulatorContext): void {
  const { store, subscriptionId } = ctx;

  const requireOperation = (params: Record<string, string>) => {
    requireSubscription(ctx, params);
    const op = store.operation(params.operationId!);
    if (!op || op.location.toLowerCase() !== params.location!.toLowerCase()) {
      throw new ArmError(404, "ResourceNotFound", `The operation '${params.operationId}' was not found.`);
    }
    return op;
  };

  /** Azure-AsyncOperation polling: always 200, the status in the body. */
  arm.on("GET", `${LOCATION}/operationStatuses/:operationId`, ({ params }) => {
    const op = requireOperation(params);
    return { status: 200, body: operationStatusBody(subscriptionId, op, operationStatus(op, Date.now())) };
  });

  /**
   * Location polling: 202 while running, then the outcome as a status code. A failed operation
   * answers 400 with its error: not a 5xx, which the SDK's retry policy would repeat three times
   * (with back-off) before reporting the same failure.
   */
  arm.on("GET", `${LOCATION}/operationResults/:operationId`, ({ params }) => {
    const op = requireOperation(params);
    const status = operationStatus(op, Date.now());
    if (status === "InProgress") return { status: 202, headers: { Location: operationUrl(ctx, op, "operationResults") } };
    if (status === "Failed") throw new ArmError(400, op.failure!.code, op.failure!.message);
    const cloud = store.cloud(op.resourceGroup, op.privateCloud);
    const segment = cloud && store.segment(cloud, op.segmentId);
    if (op.action !== "delete" && cloud && segment) return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
    return { status: 204 };
  });
}
