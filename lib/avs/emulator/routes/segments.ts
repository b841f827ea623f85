/**
 * NSX-T segments: list, read, create or replace (a long-running operation announced in
 * Azure-AsyncOperation), update (PATCH; long-running when it changes the segment's gateway) and
 * delete (202 + Location). Bodies are checked the way ARM checks them: the gateway must be one of
 * the cloud's Tier-1s, by its policy path as the AVS 2023-03-01 examples write it
 * ("/infra/tier-1s/<id>") or by its bare id, and the subnet's gateway an address with its prefix.
 */
import { z } from "zod";
import { API_VERSION, ArmError, operationPath, segmentResource } from "../arm";
import { type EmulatorContext, listReply, parseBody, requireCloud, SEGMENTS, segmentNotFound } from "../context";
import type { Router } from "../router";
import { gatewayPropertiesOf, type CloudRecord, type OperationRecord, type SegmentRecord } from "../store";

/** NSX-T segment ids: what the NSX policy API accepts in a path, kept conservative. */
const SEGMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

const subnetSchema = z.object({
  gatewayAddress: z.string().optional(),
  dhcpRanges: z.array(z.string()).optional(),
});

// Read-only properties a client echoes back (provisioningState, status, portVif) are ignored, as
// ARM does; `revision` is accepted and ignored: the emulator keeps its own.
const segmentPutSchema = z.object({
  properties: z.object({
    displayName: z.string().min(1),
    connectedGateway: z.string().nullable().optional(),
    subnet: subnetSchema.optional(),
  }),
});

/**
 * WorkloadNetworks_UpdateSegments (2023-03-01) sends only what changes: connectedGateway, subnet
 * (gatewayAddress, dhcpRanges) and revision, no displayName. Read-only properties are ignored.
 */
const segmentPatchSchema = z.object({
  properties: z
    .object({
      displayName: z.string().min(1).optional(),
      connectedGateway: z.string().nullable().optional(),
      subnet: subnetSchema.optional(),
      revision: z.number().int().optional(),
    })
    .optional(),
});

function isCidrLike(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const [, a, b, c, d, prefix] = match.map(Number);
  return [a, b, c, d].every((octet) => octet! <= 255) && prefix! <= 32;
}

function requireSegmentId(segmentId: string): string {
  if (!SEGMENT_ID.test(segmentId)) {
    throw new ArmError(400, "InvalidResourceName", `The segment id '${segmentId}' is not valid: use letters, digits, '-', '_' and '.'.`);
  }
  return segmentId;
}

function checkGateway(cloud: CloudRecord, gateway: string | null | undefined): void {
  if (gateway === null || gateway === undefined) return;
  // The console sends the gateway id; NSX's own policy path for it is accepted too.
  const known = cloud.gateways.some((g) => gateway === g.id || gateway === `/infra/tier-1s/${g.id}`);
  if (!known) {
    throw new ArmError(400, "InvalidSegmentGateway", `The connected gateway '${gateway}' is not a Tier-1 gateway of private cloud '${cloud.name}'.`);
  }
}

function checkSubnet(subnet: SegmentRecord["subnet"]): void {
  if (subnet?.gatewayAddress !== undefined && !isCidrLike(subnet.gatewayAddress)) {
    throw new ArmError(
      400,
      "InvalidSegmentSubnet",
      `The subnet gateway address '${subnet.gatewayAddress}' is not valid: expected an address with its prefix length, such as 10.1.2.1/24.`,
    );
  }
}

function conflict(cloud: CloudRecord, segmentId: string): ArmError {
  return new ArmError(409, "Conflict", `Another operation is in progress on segment '${segmentId}' of private cloud '${cloud.name}'; retry when it has finished.`);
}

export function operationUrl(ctx: EmulatorContext, op: OperationRecord, kind: "operationStatuses" | "operationResults"): string {
  return `${ctx.baseUrl()}${operationPath(ctx.subscriptionId, op, kind)}?api-version=${API_VERSION}`;
}

export function addSegmentRoutes(arm: Router, ctx: EmulatorContext): void {
  const { store, subscriptionId, faults } = ctx;

  const injectedFailure = (method: string, url: URL, action: "create" | "update" | "delete", segmentId: string) => {
    if (!faults.takeOperationFailure(method, url.pathname)) return undefined;
    return { code: "OperationFailed", message: `The ${action} of segment '${segmentId}' failed in NSX-T (injected by the AVS emulator).` };
  };

  arm.on("GET", SEGMENTS, ({ params, url }) => {
    const cloud = requireCloud(ctx, params);
    return listReply(ctx, cloud.segments.map((s) => segmentResource(subscriptionId, cloud, s)), url);
  });

  arm.on("GET", `${SEGMENTS}/:segmentId`, ({ params }) => {
    const cloud = requireCloud(ctx, params);
    const segment = store.segment(cloud, params.segmentId!);
    if (!segment) throw segmentNotFound(cloud, params.segmentId!);
    return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
  });

  /**
   * Create or replace. A new segment (or one whose last operation failed) is built by a
   * long-running operation announced in Azure-AsyncOperation; replacing a healthy segment is
   * applied at once (200, Succeeded), which the SDK's poller accepts without polling.
   */
  arm.on("PUT", `${SEGMENTS}/:segmentId`, ({ params, body, url, method }) => {
    const cloud = requireCloud(ctx, params);
    const segmentId = requireSegmentId(params.segmentId!);
    const { properties } = parseBody(segmentPutSchema, body);
    checkGateway(cloud, properties.connectedGateway);
    checkSubnet(properties.subnet);
    if (store.inFlight(cloud, segmentId)) throw conflict(cloud, segmentId);

    const desired = {
      displayName: properties.displayName,
      connectedGateway: properties.connectedGateway ?? undefined,
      subnet: properties.subnet,
    };
    const existing = store.segment(cloud, segmentId);
    if (existing && existing.provisioningState !== "Failed") {
      Object.assign(existing, desired, { revision: existing.revision + 1 });
      store.save();
      return { status: 200, body: segmentResource(subscriptionId, cloud, existing) };
    }

    const op = store.startOperation(cloud, segmentId, "create", ctx.operationMs, injectedFailure(method, url, "create", segmentId));
    let segment: SegmentRecord;
    if (existing) {
      segment = Object.assign(existing, desired, { revision: existing.revision + 1, provisioningState: "Updating" as const });
    } else {
      segment = { segmentId, ...desired, revision: 0, provisioningState: "Building" };
      cloud.segments.push(segment);
    }
    store.save();
    return {
      status: existing ? 200 : 201,
      body: segmentResource(subscriptionId, cloud, segment),
      headers: { "Azure-AsyncOperation": operationUrl(ctx, op, "operationStatuses") },
    };
  });

  /**
   * Partial update (merge semantics: what the body leaves out stays). A change of the segment's
   * gateway (connectedGateway or subnet) is realized by NSX-T as a long-running operation: 202
   * with Azure-AsyncOperation and Location, the segment "Updating" meanwhile; if the operation
   * fails, the segment keeps its old gateway and is marked Failed. A change of the display name
   * alone is applied at once (200).
   */
  arm.on("PATCH", `${SEGMENTS}/:segmentId`, ({ params, body, url, method }) => {
    const cloud = requireCloud(ctx, params);
    const segmentId = params.segmentId!;
    const segment = store.segment(cloud, segmentId);
    if (!segment) throw segmentNotFound(cloud, segmentId);
    const properties = parseBody(segmentPatchSchema, body).properties ?? {};
    checkGateway(cloud, properties.connectedGateway);
    checkSubnet(properties.subnet);
    if (store.inFlight(cloud, segmentId)) throw conflict(cloud, segmentId);
    const before = gatewayPropertiesOf(segment);
    if (properties.displayName !== undefined) segment.displayName = properties.displayName;
    if (properties.connectedGateway === null) delete segment.connectedGateway;
    else if (properties.connectedGateway !== undefined) segment.connectedGateway = properties.connectedGateway;
    if (properties.subnet !== undefined) segment.subnet = properties.subnet;
    segment.revision += 1;
    if (properties.connectedGateway === undefined && properties.subnet === undefined) {
      store.save();
      return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
    }
    const op = store.startOperation(cloud, segmentId, "update", ctx.operationMs, injectedFailure(method, url, "update", segmentId), {
      before,
      after: gatewayPropertiesOf(segment),
    });
    segment.provisioningState = "Updating";
    store.save();
    return {
      status: 202,
      headers: { "Azure-AsyncOperation": operationUrl(ctx, op, "operationStatuses"), Location: operationUrl(ctx, op, "operationResults") },
    };
  });

  /** 202 + Location while the segment is removed; 204 when there is nothing to remove. */
  arm.on("DELETE", `${SEGMENTS}/:segmentId`, ({ params, url, method }) => {
    const cloud = requireCloud(ctx, params);
    const segmentId = params.segmentId!;
    const segment = store.segment(cloud, segmentId);
    if (!segment) return { status: 204 };
    const running = store.inFlight(cloud, segmentId);
    // Deleting what is already being deleted is the same request again: same operation.
    if (running?.action === "delete") return { status: 202, headers: { Location: operationUrl(ctx, running, "operationResults") } };
    if (running) throw conflict(cloud, segmentId);
    const op = store.startOperation(cloud, segmentId, "delete", ctx.operationMs, injectedFailure(method, url, "delete", segmentId));
    segment.provisioningState = "Deleting";
    store.save();
    return { status: 202, headers: { Location: operationUrl(ctx, op, "operationResults") } };
  });
}
