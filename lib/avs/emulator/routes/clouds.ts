/** The private clouds, their Global Reach connections and their NSX-T Tier-1 gateways: read only. */
import { cloudResource, gatewayResource, globalReachResource } from "../arm";
import { CLOUD, type EmulatorContext, listReply, PROVIDER, requireCloud, requireResourceGroup, requireSubscription } from "../context";
import type { Router } from "../router";

export function addCloudRoutes(arm: Router, ctx: EmulatorContext): void {
  const { store, subscriptionId } = ctx;
  arm.on("GET", `/subscriptions/:subscriptionId/${PROVIDER}/privateClouds`, ({ params, url }) => {
    requireSubscription(ctx, params);
    return listReply(ctx, store.clouds().map((c) => cloudResource(subscriptionId, c)), url);
  });

  arm.on("GET", `/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/${PROVIDER}/privateClouds`, ({ params, url }) => {
    const resourceGroup = requireResourceGroup(ctx, params);
    return listReply(ctx, store.clouds(resourceGroup).map((c) => cloudResource(subscriptionId, c)), url);
  });

  arm.on("GET", CLOUD, ({ params }) => ({ status: 200, body: cloudResource(subscriptionId, requireCloud(ctx, params)) }));

  arm.on("GET", `${CLOUD}/globalReachConnections`, ({ params, url }) => {
    const cloud = requireCloud(ctx, params);
    return listReply(ctx, cloud.globalReachConnections.map((g) => globalReachResource(subscriptionId, cloud, g)), url);
  });

  arm.on("GET", `${CLOUD}/workloadNetworks/default/gateways`, ({ params, url }) => {
    const cloud = requireCloud(ctx, params);
    return listReply(ctx, cloud.gateways.map((g) => gatewayResource(subscriptionId, cloud, g)), url);
  });
}
