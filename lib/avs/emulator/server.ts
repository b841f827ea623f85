/**
 * The built-in Azure VMware Solution emulator: a loopback HTTP server that answers the part of
 * the AVS ARM API (2023-03-01) the console uses, closely enough that the real @azure/arm-avs SDK
 * (through lib/avs/client.ts) cannot tell the difference: same paths, ids, bodies, status codes,
 * error envelopes, paging and long-running-operation headers.
 *
 * On top of that, for tests and demos: state in a JSON file that survives restarts, injected
 * faults (latency, throttling, errors, failed operations, hangs) and out-of-band changes, as if
 * someone had used the Azure portal behind the console's back.
 */
import { createHash, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { z } from "zod";
import {
  API_VERSION,
  ArmError,
  cloudResource,
  errorBody,
  gatewayResource,
  globalReachResource,
  operationPath,
  operationStatusBody,
  page,
  segmentResource,
} from "./arm";
import { type EmulatorFault, faultSchema, FaultInjector } from "./faults";
import { type Reply, type RouteContext, Router } from "./router";
import { AvsStore, type CloudRecord, type OperationRecord, operationStatus, type SegmentRecord } from "./store";

export type { EmulatorFault } from "./faults";
export { API_VERSION } from "./arm";
export { EMULATOR_RESOURCE_GROUP, EMULATOR_SUBSCRIPTION_ID } from "./seed";

export type SegmentChanges = { displayName?: string; connectedGateway?: string | null };

export type AvsEmulator = {
  /** Base URL, e.g. http://127.0.0.1:41234: the `endpoint` for createAvsClient. */
  url: string;
  /** The bearer token every request must carry. */
  token: string;
  subscriptionId: string;
  close(): Promise<void>;
  faults: { add(fault: EmulatorFault): void; clear(): void };
  outOfBand: {
    deleteSegment(resourceGroup: string, privateCloud: string, segmentId: string): void;
    updateSegment(resourceGroup: string, privateCloud: string, segmentId: string, changes: SegmentChanges): void;
  };
  segments(resourceGroup: string, privateCloud: string): Array<{ id: string; name: string; displayName: string; provisioningState: string }>;
  /**
   * The most recent requests (at most 1000), oldest first. Status 0: dropped without an answer.
   * delayMs: the latency injected into it.
   */
  requestLog: Array<{ method: string; path: string; status: number; delayMs: number }>;
  /**
   * Resolves when the next request matching `method` and `pathIncludes` (as a fault matches)
   * arrives, before any fault delays or answers it: lets a test act while a request is in flight.
   */
  nextArrival(match: { method?: string; pathIncludes?: string }): Promise<void>;
};

export type AvsEmulatorOptions = {
  /** JSON state file: loaded when present, seeded otherwise. */
  stateFile: string;
  /** Loopback only (default 127.0.0.1): the token travels in the clear. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default: 32 random bytes, base64url. */
  token?: string;
  /** How long a segment create or delete takes (default 1000 ms). */
  operationMs?: number;
  /** Items per page of every list (default 2, so that clients must follow nextLink). */
  pageSize?: number;
};

const LOOPBACK_HOSTS = ["127.0.0.1", "::1", "localhost"];
const REQUEST_LOG_LIMIT = 1000;
const MAX_BODY_BYTES = 1024 * 1024;
const PROVIDER = "providers/Microsoft.AVS";
const CLOUD = `/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/${PROVIDER}/privateClouds/:privateCloud`;
const SEGMENTS = `${CLOUD}/workloadNetworks/default/segments`;
const LOCATION = `/subscriptions/:subscriptionId/${PROVIDER}/locations/:location`;

/** NSX-T segment ids: what the NSX policy API accepts in a path, kept conservative. */
const SEGMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$/;

function isCidrLike(value: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  if (!match) return false;
  const [, a, b, c, d, prefix] = match.map(Number);
  return [a, b, c, d].every((octet) => octet! <= 255) && prefix! <= 32;
}

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

const segmentPatchSchema = z.object({
  properties: z
    .object({
      displayName: z.string().min(1).optional(),
      connectedGateway: z.string().nullable().optional(),
      subnet: subnetSchema.optional(),
    })
    .optional(),
});

const outOfBandSchema = z.discriminatedUnion("action", [
  z.object({ action: z.literal("delete-segment"), resourceGroup: z.string(), privateCloud: z.string(), segmentId: z.string() }),
  z.object({
    action: z.literal("update-segment"),
    resourceGroup: z.string(),
    privateCloud: z.string(),
    segmentId: z.string(),
    changes: z.object({ displayName: z.string().min(1).optional(), connectedGateway: z.string().nullable().optional() }),
  }),
]);

function parseBody<T>(schema: z.ZodType<T>, body: unknown): T {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at '${issue.path.join(".")}'` : "";
  throw new ArmError(400, "InvalidRequestContent", `The request content is not valid${where}: ${issue?.message ?? "invalid"}.`);
}

export async function startAvsEmulator(options: AvsEmulatorOptions): Promise<AvsEmulator> {
  const host = options.host ?? "127.0.0.1";
  if (!LOOPBACK_HOSTS.includes(host)) throw new Error(`The AVS emulator listens on loopback only, not ${host}.`);
  const operationMs = options.operationMs ?? 1000;
  const pageSize = options.pageSize ?? 2;
  if (!Number.isInteger(operationMs) || operationMs < 0) throw new Error("operationMs must be a non-negative integer");
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new Error("pageSize must be a positive integer");
  const token = options.token ?? randomBytes(32).toString("base64url");
  const tokenDigest = createHash("sha256").update(`Bearer ${token}`).digest();

  const store = AvsStore.open(options.stateFile);
  const subscriptionId = store.subscriptionId;
  const faults = new FaultInjector();
  const requestLog: AvsEmulator["requestLog"] = [];
  let baseUrl = "";
  let closed = false;

  // Requests held by latency or hang faults, so that close() can release them at once.
  const waiters = new Set<() => void>();
  function pause(ms: number | undefined): Promise<void> {
    return new Promise((resolve) => {
      if (closed) return resolve();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      waiters.add(done);
    });
  }

  // ---- lookups, each failing the way ARM does ------------------------------------------------

  function requireSubscription(params: Record<string, string>): void {
    if (params.subscriptionId?.toLowerCase() !== subscriptionId.toLowerCase()) {
      throw new ArmError(404, "SubscriptionNotFound", `The subscription '${params.subscriptionId}' could not be found.`);
    }
  }

  function requireResourceGroup(params: Record<string, string>): string {
    requireSubscription(params);
    const resourceGroup = params.resourceGroup!;
    if (!store.hasResourceGroup(resourceGroup)) {
      throw new ArmError(404, "ResourceGroupNotFound", `Resource group '${resourceGroup}' could not be found.`);
    }
    return resourceGroup;
  }

  function requireCloud(params: Record<string, string>): CloudRecord {
    const resourceGroup = requireResourceGroup(params);
    const cloud = store.cloud(resourceGroup, params.privateCloud!);
    if (!cloud) {
      throw new ArmError(
        404,
        "ResourceNotFound",
        `The Resource 'Microsoft.AVS/privateClouds/${params.privateCloud}' under resource group '${resourceGroup}' was not found.`,
      );
    }
    return cloud;
  }

  function segmentNotFound(cloud: CloudRecord, segmentId: string): ArmError {
    return new ArmError(
      404,
      "ResourceNotFound",
      `The Resource 'Microsoft.AVS/privateClouds/${cloud.name}/workloadNetworks/default/segments/${segmentId}' under resource group '${cloud.resourceGroup}' was not found.`,
    );
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
      throw new ArmError(
        400,
        "InvalidSegmentGateway",
        `The connected gateway '${gateway}' is not a Tier-1 gateway of private cloud '${cloud.name}'.`,
      );
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
    return new ArmError(
      409,
      "Conflict",
      `Another operation is in progress on segment '${segmentId}' of private cloud '${cloud.name}'; retry when it has finished.`,
    );
  }

  const operationUrl = (op: OperationRecord, kind: "operationStatuses" | "operationResults") =>
    `${baseUrl}${operationPath(subscriptionId, op, kind)}?api-version=${API_VERSION}`;

  function injectedFailure(method: string, url: URL, action: "create" | "delete", segmentId: string) {
    if (!faults.takeOperationFailure(method, url.pathname)) return undefined;
    return { code: "OperationFailed", message: `The ${action} of segment '${segmentId}' failed in NSX-T (injected by the AVS emulator).` };
  }

  // ---- ARM routes -----------------------------------------------------------------------------

  const arm = new Router();
  const list = <T>(items: T[], url: URL): Reply => ({ status: 200, body: page(items, url, baseUrl, pageSize) });

  arm.on("GET", `/subscriptions/:subscriptionId/${PROVIDER}/privateClouds`, ({ params, url }) => {
    requireSubscription(params);
    return list(store.clouds().map((c) => cloudResource(subscriptionId, c)), url);
  });

  arm.on("GET", `/subscriptions/:subscriptionId/resourceGroups/:resourceGroup/${PROVIDER}/privateClouds`, ({ params, url }) => {
    const resourceGroup = requireResourceGroup(params);
    return list(store.clouds(resourceGroup).map((c) => cloudResource(subscriptionId, c)), url);
  });

  arm.on("GET", CLOUD, ({ params }) => ({ status: 200, body: cloudResource(subscriptionId, requireCloud(params)) }));

  arm.on("GET", `${CLOUD}/globalReachConnections`, ({ params, url }) => {
    const cloud = requireCloud(params);
    return list(cloud.globalReachConnections.map((g) => globalReachResource(subscriptionId, cloud, g)), url);
  });

  arm.on("GET", `${CLOUD}/workloadNetworks/default/gateways`, ({ params, url }) => {
    const cloud = requireCloud(params);
    return list(cloud.gateways.map((g) => gatewayResource(subscriptionId, cloud, g)), url);
  });

  arm.on("GET", SEGMENTS, ({ params, url }) => {
    const cloud = requireCloud(params);
    return list(cloud.segments.map((s) => segmentResource(subscriptionId, cloud, s)), url);
  });

  arm.on("GET", `${SEGMENTS}/:segmentId`, ({ params }) => {
    const cloud = requireCloud(params);
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
    const cloud = requireCloud(params);
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

    const op = store.startOperation(cloud, segmentId, "create", operationMs, injectedFailure(method, url, "create", segmentId));
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
      headers: { "Azure-AsyncOperation": operationUrl(op, "operationStatuses") },
    };
  });

  /** Partial update, applied at once. */
  arm.on("PATCH", `${SEGMENTS}/:segmentId`, ({ params, body }) => {
    const cloud = requireCloud(params);
    const segmentId = params.segmentId!;
    const segment = store.segment(cloud, segmentId);
    if (!segment) throw segmentNotFound(cloud, segmentId);
    const properties = parseBody(segmentPatchSchema, body).properties ?? {};
    checkGateway(cloud, properties.connectedGateway);
    checkSubnet(properties.subnet);
    if (store.inFlight(cloud, segmentId)) throw conflict(cloud, segmentId);
    if (properties.displayName !== undefined) segment.displayName = properties.displayName;
    if (properties.connectedGateway === null) delete segment.connectedGateway;
    else if (properties.connectedGateway !== undefined) segment.connectedGateway = properties.connectedGateway;
    if (properties.subnet !== undefined) segment.subnet = properties.subnet;
    segment.revision += 1;
    store.save();
    return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
  });

  /** 202 + Location while the segment is removed; 204 when there is nothing to remove. */
  arm.on("DELETE", `${SEGMENTS}/:segmentId`, ({ params, url, method }) => {
    const cloud = requireCloud(params);
    const segmentId = params.segmentId!;
    const segment = store.segment(cloud, segmentId);
    if (!segment) return { status: 204 };
    const running = store.inFlight(cloud, segmentId);
    // Deleting what is already being deleted is the same request again: same operation.
    if (running?.action === "delete") return { status: 202, headers: { Location: operationUrl(running, "operationResults") } };
    if (running) throw conflict(cloud, segmentId);
    const op = store.startOperation(cloud, segmentId, "delete", operationMs, injectedFailure(method, url, "delete", segmentId));
    segment.provisioningState = "Deleting";
    store.save();
    return { status: 202, headers: { Location: operationUrl(op, "operationResults") } };
  });

  function requireOperation(params: Record<string, string>) {
    requireSubscription(params);
    const op = store.operation(params.operationId!);
    if (!op || op.location.toLowerCase() !== params.location!.toLowerCase()) {
      throw new ArmError(404, "ResourceNotFound", `The operation '${params.operationId}' was not found.`);
    }
    return op;
  }

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
    if (status === "InProgress") return { status: 202, headers: { Location: operationUrl(op, "operationResults") } };
    if (status === "Failed") throw new ArmError(400, op.failure!.code, op.failure!.message);
    const cloud = store.cloud(op.resourceGroup, op.privateCloud);
    const segment = cloud && store.segment(cloud, op.segmentId);
    if (op.action === "create" && cloud && segment) return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
    return { status: 204 };
  });

  // ---- out-of-band changes and the control routes --------------------------------------------

  function findSegmentForOutOfBand(resourceGroup: string, privateCloud: string, segmentId: string) {
    const cloud = store.cloud(resourceGroup, privateCloud);
    if (!cloud) throw new ArmError(404, "ResourceNotFound", `No private cloud '${privateCloud}' in resource group '${resourceGroup}'.`);
    const segment = store.segment(cloud, segmentId);
    if (!segment) throw segmentNotFound(cloud, segmentId);
    return { cloud, segment };
  }

  const outOfBand: AvsEmulator["outOfBand"] = {
    deleteSegment(resourceGroup, privateCloud, segmentId) {
      store.settle();
      const { cloud, segment } = findSegmentForOutOfBand(resourceGroup, privateCloud, segmentId);
      cloud.segments.splice(cloud.segments.indexOf(segment), 1);
      store.save();
    },
    updateSegment(resourceGroup, privateCloud, segmentId, changes) {
      store.settle();
      const { segment } = findSegmentForOutOfBand(resourceGroup, privateCloud, segmentId);
      // Not validated against the cloud's gateways: a drift test may need a value the console never sets.
      if (changes.displayName !== undefined) segment.displayName = changes.displayName;
      if (changes.connectedGateway === null) delete segment.connectedGateway;
      else if (changes.connectedGateway !== undefined) segment.connectedGateway = changes.connectedGateway;
      segment.revision += 1;
      store.save();
    },
  };

  const addFault = (fault: EmulatorFault) => faults.add(fault);
  const control = new Router()
    .on("GET", "/_emulator/faults", () => ({ status: 200, body: { faults: faults.list() } }))
    .on("POST", "/_emulator/faults", ({ body }) => {
      const added = parseBody(z.union([faultSchema, z.array(faultSchema)]), body);
      for (const fault of Array.isArray(added) ? added : [added]) addFault(fault);
      return { status: 200, body: { faults: faults.list() } };
    })
    .on("DELETE", "/_emulator/faults", () => {
      faults.clear();
      return { status: 204 };
    })
    .on("POST", "/_emulator/out-of-band", ({ body }) => {
      const change = parseBody(outOfBandSchema, body);
      if (change.action === "delete-segment") {
        outOfBand.deleteSegment(change.resourceGroup, change.privateCloud, change.segmentId);
        return { status: 204 };
      }
      outOfBand.updateSegment(change.resourceGroup, change.privateCloud, change.segmentId, change.changes);
      const { cloud, segment } = findSegmentForOutOfBand(change.resourceGroup, change.privateCloud, change.segmentId);
      return { status: 200, body: segmentResource(subscriptionId, cloud, segment) };
    });

  // ---- HTTP -----------------------------------------------------------------------------------

  const arrivals = new Set<{ method?: string; pathIncludes?: string; arrived: () => void }>();
  function announceArrival(method: string, path: string): void {
    for (const waiter of [...arrivals]) {
      if (waiter.method && waiter.method.toUpperCase() !== method) continue;
      if (waiter.pathIncludes && !path.toLowerCase().includes(waiter.pathIncludes.toLowerCase())) continue;
      arrivals.delete(waiter);
      waiter.arrived();
    }
  }

  const delays = new WeakMap<IncomingMessage, number>();
  function log(req: IncomingMessage, status: number): void {
    requestLog.push({ method: req.method ?? "GET", path: req.url ?? "/", status, delayMs: delays.get(req) ?? 0 });
    if (requestLog.length > REQUEST_LOG_LIMIT) requestLog.splice(0, requestLog.length - REQUEST_LOG_LIMIT);
  }

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    const payload = reply.body === undefined ? "" : JSON.stringify(reply.body);
    res.writeHead(reply.status, {
      "x-ms-request-id": randomUUID(),
      ...(reply.body === undefined ? {} : { "content-type": "application/json; charset=utf-8" }),
      "content-length": Buffer.byteLength(payload),
      ...reply.headers,
    });
    // Logged before the bytes leave, so a test that has its answer also finds it in the log.
    log(req, reply.status);
    res.end(payload);
  }

  function drop(req: IncomingMessage): void {
    log(req, 0);
    req.socket.destroy();
  }

  function authorized(req: IncomingMessage): boolean {
    const given = createHash("sha256").update(req.headers.authorization ?? "").digest();
    return timingSafeEqual(given, tokenDigest);
  }

  async function readJson(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY_BYTES) throw new ArmError(413, "RequestEntityTooLarge", "The request content is too large.");
      chunks.push(chunk as Buffer);
    }
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "") return undefined;
    try {
      return JSON.parse(text);
    } catch {
      throw new ArmError(400, "InvalidRequestContent", "The request content is not valid JSON.");
    }
  }

  function route(router: Router, context: RouteContext): Reply {
    const match = router.match(context.method, context.url.pathname);
    if (match.kind === "found") return match.handler({ ...context, params: match.params });
    if (match.kind === "method-not-allowed") {
      throw new ArmError(405, "MethodNotAllowed", `The method '${context.method}' is not allowed on '${context.url.pathname}'.`);
    }
    throw new ArmError(404, "NotFound", `No resource or operation at '${context.url.pathname}'.`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const url = new URL(req.url ?? "/", baseUrl);
    try {
      const body = await readJson(req);
      if (!authorized(req)) {
        throw new ArmError(401, "AuthenticationFailed", "Authentication failed: the 'Authorization' header is missing or its bearer token is not valid.", {
          "WWW-Authenticate": 'Bearer error="invalid_token"',
        });
      }
      // The control routes are never subject to faults: a hang must stay clearable.
      if (url.pathname.startsWith("/_emulator/")) return send(req, res, route(control, { params: {}, url, method, body }));

      if (url.searchParams.get("api-version") !== API_VERSION) {
        throw new ArmError(
          400,
          "InvalidApiVersionParameter",
          `The api-version '${url.searchParams.get("api-version") ?? ""}' is invalid. The supported version is '${API_VERSION}'.`,
        );
      }

      announceArrival(method, url.pathname);
      const plan = faults.plan(method, url.pathname);
      delays.set(req, plan.delayMs);
      if (plan.delayMs > 0) await pause(plan.delayMs);
      if (plan.outcome?.kind === "hang") await pause(plan.outcome.hangMs);
      if (closed || plan.outcome?.kind === "hang") return drop(req);
      if (plan.outcome) {
        const { status, code, message, retryAfterSeconds } = plan.outcome;
        throw new ArmError(status, code, message, retryAfterSeconds === undefined ? {} : { "Retry-After": String(retryAfterSeconds) });
      }

      store.settle();
      send(req, res, route(arm, { params: {}, url, method, body }));
    } catch (error) {
      if (res.headersSent || closed) return drop(req);
      if (error instanceof ArmError) return send(req, res, { status: error.status, body: errorBody(error.code, error.message), headers: error.headers });
      const message = error instanceof Error ? error.message : String(error);
      send(req, res, { status: 500, body: errorBody("InternalServerError", `The AVS emulator failed: ${message}`) });
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;

  return {
    url: baseUrl,
    token,
    subscriptionId,
    requestLog,
    faults: { add: addFault, clear: () => faults.clear() },
    nextArrival: (match) => new Promise<void>((arrived) => arrivals.add({ ...match, arrived })),
    outOfBand,
    segments(resourceGroup, privateCloud) {
      store.settle();
      const cloud = store.cloud(resourceGroup, privateCloud);
      if (!cloud) throw new Error(`No private cloud '${privateCloud}' in resource group '${resourceGroup}'.`);
      return cloud.segments.map((segment) => {
        const { id, name } = segmentResource(subscriptionId, cloud, segment);
        return { id, name, displayName: segment.displayName, provisioningState: segment.provisioningState };
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      store.freeze();
      for (const release of [...waiters]) release();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
