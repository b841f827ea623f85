/**
 * How ARM spells things: resource ids, resource bodies, error envelopes and paged lists. The SDK
 * deserializes these with its own mappers (flattening `properties.*`), so the shapes here follow
 * the AVS 2023-03-01 REST API, not the SDK's models.
 */
import type { CloudRecord, OperationRecord, OperationStatus, SegmentRecord } from "./store";

export const API_VERSION = "2023-03-01";

/** An ARM error answer: thrown by handlers, turned into `{"error":{"code","message"}}`. */
export class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export const errorBody = (code: string, message: string) => ({ error: { code, message } });

export function cloudId(subscriptionId: string, cloud: CloudRecord): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${cloud.resourceGroup}/providers/Microsoft.AVS/privateClouds/${cloud.name}`;
}

export function cloudResource(subscriptionId: string, cloud: CloudRecord) {
  return {
    id: cloudId(subscriptionId, cloud),
    name: cloud.name,
    type: "Microsoft.AVS/privateClouds",
    location: cloud.location,
    tags: cloud.tags,
    sku: cloud.sku,
    properties: cloud.properties,
  };
}

export function segmentResource(subscriptionId: string, cloud: CloudRecord, segment: SegmentRecord) {
  const terminal = segment.provisioningState === "Succeeded" || segment.provisioningState === "Failed";
  return {
    id: `${cloudId(subscriptionId, cloud)}/workloadNetworks/default/segments/${segment.segmentId}`,
    name: segment.segmentId,
    type: "Microsoft.AVS/privateClouds/workloadNetworks/segments",
    properties: {
      displayName: segment.displayName,
      ...(segment.connectedGateway !== undefined ? { connectedGateway: segment.connectedGateway } : {}),
      ...(segment.subnet !== undefined ? { subnet: segment.subnet } : {}),
      portVif: (segment.portVif ?? []).map((portName) => ({ portName })),
      // NSX reports a realized status only once the segment has settled one way or the other.
      ...(terminal ? { status: segment.provisioningState === "Succeeded" ? "SUCCESS" : "FAILURE" } : {}),
      provisioningState: segment.provisioningState,
      revision: segment.revision,
    },
  };
}

export function gatewayResource(subscriptionId: string, cloud: CloudRecord, gateway: CloudRecord["gateways"][number]) {
  return {
    id: `${cloudId(subscriptionId, cloud)}/workloadNetworks/default/gateways/${gateway.id}`,
    name: gateway.id,
    type: "Microsoft.AVS/privateClouds/workloadNetworks/gateways",
    properties: { displayName: gateway.displayName, path: `/infra/tier-1s/${gateway.id}` },
  };
}

export function globalReachResource(
  subscriptionId: string,
  cloud: CloudRecord,
  connection: CloudRecord["globalReachConnections"][number],
) {
  return {
    id: `${cloudId(subscriptionId, cloud)}/globalReachConnections/${connection.name}`,
    name: connection.name,
    type: "Microsoft.AVS/privateClouds/globalReachConnections",
    properties: connection.properties,
  };
}

export function operationPath(subscriptionId: string, op: OperationRecord, kind: "operationStatuses" | "operationResults"): string {
  return `/subscriptions/${subscriptionId}/providers/Microsoft.AVS/locations/${op.location}/${kind}/${op.id}`;
}

export function operationStatusBody(subscriptionId: string, op: OperationRecord, status: OperationStatus) {
  return {
    id: operationPath(subscriptionId, op, "operationStatuses"),
    name: op.id,
    status,
    startTime: new Date(op.startedAt).toISOString(),
    ...(status !== "InProgress" ? { endTime: new Date(op.startedAt + op.durationMs).toISOString() } : {}),
    ...(status === "Failed" && op.failure ? { error: op.failure } : {}),
  };
}

/**
 * One page of a list. The skip token is a plain offset; `nextLink` is absolute and carries the
 * api-version, because the SDK requests it verbatim (its "next" operations add no query).
 */
export function page<T>(items: T[], url: URL, baseUrl: string, pageSize: number): { value: T[]; nextLink?: string } {
  const token = url.searchParams.get("$skipToken");
  const offset = token === null ? 0 : Number(token);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new ArmError(400, "InvalidSkipToken", `The skip token '${token}' is not valid.`);
  const value = items.slice(offset, offset + pageSize);
  const next = offset + pageSize;
  if (next >= items.length) return { value };
  return { value, nextLink: `${baseUrl}${url.pathname}?api-version=${API_VERSION}&$skipToken=${next}` };
}
