/**
 * What every group of the emulator's routes shares: the state, the faults, the page size and
 * operation time, and the lookups that fail the way ARM does (404 for a subscription, resource
 * group, cloud, segment or operation that is not there; 400 for a malformed body).
 */
import { z } from "zod";
import { ArmError, page } from "./arm";
import type { FaultInjector } from "./faults";
import type { Reply } from "./router";
import type { AvsStore, CloudRecord } from "./store";

export const PROVIDER = "providers/Microsoft.AVS";
export const CLOUD = `/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/${PROVIDER}/privateClouds/:privateCloud`;
export const SEGMENTS = `${CLOUD}/workloadNetworks/default/segments`;
export const LOCATION = `/subscriptions/:subscriptionId/${PROVIDER}/locations/:location`;

export type EmulatorContext = {
  store: AvsStore;
  subscriptionId: string;
  faults: FaultInjector;
  pageSize: number;
  operationMs: number;
  /** Known once the server listens: links and operation URLs are absolute, as ARM's are. */
  baseUrl(): string;
};

export function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at '${issue.path.join(".")}'` : "";
  throw new ArmError(400, "InvalidRequestContent", `The request content is not valid${where}: ${issue?.message ?? "invalid"}.`);
}

/** One page of a list, with nextLink when there is more. */
export function listReply<T>(ctx: EmulatorContext, items: T[], url: URL): Reply {
  return { status: 200, body: page(items, url, ctx.baseUrl(), ctx.pageSize) };
}

export function requireSubscription(ctx: EmulatorContext, params: Record<string, string>): void {
  if (params.subscriptionId?.toLowerCase() !== ctx.subscriptionId.toLowerCase()) {
    throw new ArmError(404, "SubscriptionNotFound", `The subscription '${params.subscriptionId}' could not be found.`);
  }
}

export function requireResourceGroup(ctx: EmulatorContext, params: Record<string, string>): string {
  requireSubscription(ctx, params);
  const resourceGroup = params.resourceGroup!;
  if (!ctx.store.hasResourceGroup(resourceGroup)) {
    throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
  }
  return resourceGroup;
}

export function requireCloud(ctx: EmulatorContext, params: Record<string, string>): CloudRecord {
  const resourceGroup = requireResourceGroup(ctx, params);
  const cloud = ctx.store.cloud(resourceGroup, params.privateCloud!);
  if (!cloud) {
    throw new ArmError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.AVS/privateClouds/${params.privateCloud}' under resource group '${resourceGroup}' was not found.`,
    );
  }
  return cloud;
}

export function segmentNotFound(cloud: CloudRecord, segmentId: string): ArmError {
  return new ArmError(
    404,
    "ResourceNotFound",
    `The Resource 'Microsoft.AVS/privateClouds/${cloud.name}/workloadNetworks/default/segments/${segmentId}' under resource group '${cloud.resourceGroup}' was not found.`,
  );
}
