/**
 * The emulator's own routes, for tests and demos, never subject to faults (a hang must stay
 * clearable): inject and clear faults, and change a segment behind the console's back, as
 * someone using the Azure portal would.
 */
import { z } from "zod";
import { ArmError, segmentResource } from "../arm";
import { type EmulatorContext, parseBody, segmentNotFound } from "../context";
import { faultSchema } from "../faults";
import { Router } from "../router";

export type SegmentChanges = { displayName?: string; connectedGateway?: string | null };

export type OutOfBand = {
  deleteSegment(resourceGroup: string, privateCloud: string, segmentId: string): void;
  updateSegment(resourceGroup: string, privateCloud: string, segmentId: string, changes: SegmentChanges): void;
  /** VMs connected to the segment (its portVif): what someone moving workloads into AVS does in vCenter. */
  setPorts(resourceGroup: string, privateCloud: string, segmentId: string, portNames: string[]): void;
};

const outOfBandSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("set-ports"), resourceGroup: z.string(), privateCloud: z.string(), segmentId: z.string(), portNames: z.array(z.string().min(1).max(80)).max(1000) }),
  z.object({ action: z.literal("delete-segment"), resourceGroup: z.string(), privateCloud: z.string(), segmentId: z.string() }),
  z.object({
    action: z.literal("update-segment"),
    resourceGroup: z.string(),
    privateCloud: z.string(),
    segmentId: z.string(),
    changes: z.object({ displayName: z.string().min(1).optional(), connectedGateway: z.string().nullable().optional() }),
  }),
]);

function findSegment(ctx: EmulatorContext, resourceGroup: string, privateCloud: string, segmentId: string) {
  const cloud = ctx.store.cloud(resourceGroup, privateCloud);
  if (!cloud) throw new ArmError(404, "ResourceNotFound", `No private cloud '${privateCloud}' in resource group '${resourceGroup}'.`);
  const segment = ctx.store.segment(cloud, segmentId);
  if (!segment) throw segmentNotFound(cloud, segmentId);
  return { cloud, segment };
}

export function outOfBandChanges(ctx: EmulatorContext): OutOfBand {
  const { store } = ctx;
  return {
    deleteSegment(resourceGroup, privateCloud, segmentId) {
      store.settle();
      const { cloud, segment } = findSegment(ctx, resourceGroup, privateCloud, segmentId);
      cloud.segments.splice(cloud.segments.indexOf(segment), 1);
      store.save();
    },
    updateSegment(resourceGroup, privateCloud, segmentId, changes) {
      store.settle();
      const { segment } = findSegment(ctx, resourceGroup, privateCloud, segmentId);
      // Not validated against the cloud's gateways: a drift test may need a value the console never sets.
      if (changes.displayName !== undefined) segment.displayName = changes.displayName;
      if (changes.connectedGateway === null) delete segment.connectedGateway;
      else if (changes.connectedGateway !== undefined) segment.connectedGateway = changes.connectedGateway;
      segment.revision += 1;
      store.save();
    },
    setPorts(resourceGroup, privateCloud, segmentId, portNames) {
      store.settle();
      const { segment } = findSegment(ctx, resourceGroup, privateCloud, segmentId);
      if (portNames.length === 0) delete segment.portVif;
      else segment.portVif = [...portNames];
      store.save();
    },
  };
}

export function controlRoutes(ctx: EmulatorContext, outOfBand: OutOfBand): Router {
  const { faults } = ctx;
  return new Router()
    .on("GET", "/_emulator/faults", () => ({ status: 200, body: { faults: faults.list() } }))
    .on("POST", "/_emulator/faults", ({ body }) => {
      const added = parseBody(z.union([faultSchema, z.array(faultSchema)]), body);
      for (const fault of Array.isArray(added) ? added : [added]) faults.add(fault);
      return { status: 200, body: { faults: faults.list() } };
    })
    .on("DELETE", "/_emulator/faults", () => {
      faults.clear();
      return { status: 204 };
    })
    .on("POST", "/_emulator/out-of-band", ({ body }) => {
      const change = parseBody(outOfBandSchema, body);
      if (change.action === "set-ports") {
        outOfBand.setPorts(change.resourceGroup, change.privateCloud, change.segmentId, change.portNames);
        return { status: 204 };
      }
      if (change.action === "delete-segment") {
        outOfBand.deleteSegment(change.resourceGroup, change.privateCloud, change.segmentId);
        return { status: 204 };
      }
      outOfBand.updateSegment(change.resourceGroup, change.privateCloud, change.segmentId, change.changes);
      const { cloud, segment } = findSegment(ctx, change.resourceGroup, change.privateCloud, change.segmentId);
      return { status: 200, body: segmentResource(ctx.subscriptionId, cloud, segment) };
    });
}
