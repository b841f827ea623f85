/**
 * The emulator's state: private clouds, their segments and the long-running operations that
 * change segments, kept in one JSON file.
 *
 * Operations are never driven by timers. Each one records when it started and how long it takes,
 * and its status is worked out from the clock whenever somebody looks (`settle`). That keeps the
 * emulator correct across a restart: an operation that was "Building" when the process stopped is
 * simply further along (or finished) when the next process reads the file.
 */
import { randomUUID } from "node:crypto";
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from "node:fs";
import path from "node:path";
import { z } from "zod";
import { seedState } from "./seed";

const segmentSchema = z.object({
  segmentId: z.string(),
  displayName: z.string(),
  connectedGateway: z.string().optional(),
  subnet: z.object({ gatewayAddress: z.string().optional(), dhcpRanges: z.array(z.string()).optional() }).optional(),
  revision: z.number().int(),
  provisioningState: z.enum(["Building", "Updating", "Deleting", "Succeeded", "Failed"]),
  /** The VMs' ports on the segment (ARM's portVif, read-only there): set through the emulator's own routes. */
  portVif: z.array(z.string()).optional(),
});

/** What a segment's gateway properties were before an update, so a failed update can put them back. */
const gatewayPropertiesSchema = z.object({
  displayName: z.string(),
  connectedGateway: z.string().optional(),
  subnet: z.object({ gatewayAddress: z.string().optional(), dhcpRanges: z.array(z.string()).optional() }).optional(),
});

const cloudSchema = z.object({
  resourceGroup: z.string(),
  name: z.string(),
  location: z.string(),
  tags: z.record(z.string(), z.string()),
  sku: z.object({ name: z.string() }),
  // Served as they are: nothing the emulator does changes a cloud's own properties.
  properties: z.record(z.string(), z.unknown()),
  gateways: z.array(z.object({ id: z.string(), displayName: z.string() })),
  globalReachConnections: z.array(z.object({ name: z.string(), properties: z.record(z.string(), z.unknown()) })),
  segments: z.array(segmentSchema),
});

const operationSchema = z.object({
  id: z.string(),
  action: z.enum(["create", "update", "delete"]),
  resourceGroup: z.string(),
  privateCloud: z.string(),
  segmentId: z.string(),
  location: z.string(),
  startedAt: z.number(),
  durationMs: z.number(),
  failure: z.object({ code: z.string(), message: z.string() }).optional(),
  /** An update's properties before and after: a failed one is rolled back to `before`. */
  before: gatewayPropertiesSchema.optional(),
  after: gatewayPropertiesSchema.optional(),
  settled: z.boolean(),
});

const stateSchema = z.object({
  version: z.literal(1),
  subscriptionId: z.string(),
  resourceGroups: z.array(z.string()),
  clouds: z.array(cloudSchema),
  operations: z.array(operationSchema),
});

export type SegmentRecord = z.infer<typeof segmentSchema>;
export type CloudRecord = z.infer<typeof cloudSchema>;
export type OperationRecord = z.infer<typeof operationSchema>;
export type EmulatorState = z.infer<typeof stateSchema>;
export type OperationStatus = "InProgress" | "Succeeded" | "Failed";

/** Finished operations kept for status queries; older ones are dropped so the file stays small. */
const KEPT_SETTLED_OPERATIONS = 200;

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function operationStatus(op: OperationRecord, now: number): OperationStatus {
  if (now < op.startedAt + op.durationMs) return "InProgress";
  return op.failure ? "Failed" : "Succeeded";
}

export class AvsStore {
  private frozen = false;

  private constructor(
    private readonly file: string,
    readonly state: EmulatorState,
  ) {}

  /** Loads the state file, or seeds a new one. A file that does not parse is an error, never overwritten. */
  static open(file: string): AvsStore {
    if (!existsSync(file)) {
      const store = new AvsStore(file, seedState());
      store.save();
      return store;
    }
    const parsed = stateSchema.safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success) throw new Error(`AVS emulator state file ${file} is not valid: ${z.prettifyError(parsed.error)}`);
    return new AvsStore(file, parsed.data);
  }

  /** After close: a request still in flight must not write over the file a new emulator may own. */
  freeze(): void {
    this.frozen = true;
  }

  /** Atomic: a crash mid-write leaves the previous file, never half a file. */
  save(): void {
    if (this.frozen) return;
    mkdirSync(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.${randomUUID()}.tmp`;
    const fd = openSync(temp, "w", 0o600);
    try {
      writeSync(fd, JSON.stringify(this.state, null, 2));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      renameSync(temp, this.file);
    } catch (error) {
      unlinkSync(temp);
      throw error;
    }
  }

  get subscriptionId(): string {
    return this.state.subscriptionId;
  }

  hasResourceGroup(resourceGroup: string): boolean {
    return this.state.resourceGroups.some((rg) => same(rg, resourceGroup));
  }

  clouds(resourceGroup?: string): CloudRecord[] {
    return this.state.clouds.filter((c) => resourceGroup === undefined || same(c.resourceGroup, resourceGroup));
  }

  cloud(resourceGroup: string, name: string): CloudRecord | undefined {
    return this.state.clouds.find((c) => same(c.resourceGroup, resourceGroup) && same(c.name, name));
  }

  /** NSX segment ids are case-sensitive, unlike ARM's resource-group and cloud names. */
  segment(cloud: CloudRecord, segmentId: string): SegmentRecord | undefined {
    return cloud.segments.find((s) => s.segmentId === segmentId);
  }

  operation(id: string): OperationRecord | undefined {
    return this.state.operations.find((op) => op.id === id);
  }

  /** The operation still running on a segment, if any: while there is one, other writes conflict. */
  inFlight(cloud: CloudRecord, segmentId: string, now = Date.now()): OperationRecord | undefined {
    return this.state.operations.find(
      (op) =>
        same(op.resourceGroup, cloud.resourceGroup) &&
        same(op.privateCloud, cloud.name) &&
        op.segmentId === segmentId &&
        operationStatus(op, now) === "InProgress",
    );
  }

  /** Applies every operation that has finished by `now`. Idempotent; saves only when something changed. */
  settle(now = Date.now()): void {
    let changed = false;
    for (const op of this.state.operations) {
      if (op.settled || operationStatus(op, now) === "InProgress") continue;
      op.settled = true;
      changed = true;
      const cloud = this.cloud(op.resourceGroup, op.privateCloud);
      // Someone may have removed the segment behind the operation's back (out of band): nothing to apply.
      const segment = cloud && this.segment(cloud, op.segmentId);
      if (!cloud || !segment) continue;
      if (op.failure) {
        // NSX-T did not realize the change: the segment keeps what it had, marked failed.
        if (op.action === "update" && op.before) {
          delete segment.connectedGateway;
          delete segment.subnet;
          Object.assign(segment, op.before);
        }
        segment.provisioningState = "Failed";
      } else if (op.action === "create" || op.action === "update") segment.provisioningState = "Succeeded";
      else cloud.segments.splice(cloud.segments.indexOf(segment), 1);
    }
    if (changed) {
      this.pruneOperations();
      this.save();
    }
  }

  startOperation(
    cloud: CloudRecord,
    segmentId: string,
    action: OperationRecord["action"],
    durationMs: number,
    failure: OperationRecord["failure"],
    change: Pick<OperationRecord, "before" | "after"> = {},
  ): OperationRecord {
    const op: OperationRecord = {
      id: randomUUID(),
      action,
      resourceGroup: cloud.resourceGroup,
      privateCloud: cloud.name,
      segmentId,
      location: cloud.location,
      startedAt: Date.now(),
      durationMs,
      ...(failure ? { failure } : {}),
      ...change,
      settled: false,
    };
    this.state.operations.push(op);
    return op;
  }

  private pruneOperations(): void {
    const settled = this.state.operations.filter((op) => op.settled);
    const drop = new Set(settled.slice(0, Math.max(0, settled.length - KEPT_SETTLED_OPERATIONS)));
    if (drop.size > 0) this.state.operations = this.state.operations.filter((op) => !drop.has(op));
  }
}

export type GatewayProperties = z.infer<typeof gatewayPropertiesSchema>;

/** A segment's gateway properties as they are, for an update to record. */
export function gatewayPropertiesOf(segment: SegmentRecord): GatewayProperties {
  return {
    displayName: segment.displayName,
    ...(segment.connectedGateway !== undefined ? { connectedGateway: segment.connectedGateway } : {}),
    ...(segment.subnet !== undefined ? { subnet: segment.subnet } : {}),
  };
}
