/**
 * VLAN allocation throughput: whole onboardings (tenant + VLAN + segment + audit, one
 * transaction each) and bare allocations, one after another and all at once, on PGlite in a
 * data folder and on PostgreSQL. Each figure is the best of a few rounds on fresh pools.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { allocateVlan } from "@/lib/commands/allocate-vlan";
import { onboardTenant } from "@/lib/commands/onboard-tenant";
import { openDatabase, type Database } from "@/lib/db/client";
import type { DatabaseTarget } from "@/lib/config";
import { privateClouds, tenants, vlanPools } from "@/lib/db/schema";
import { onboardTenantInput } from "@/lib/validation/tenant";

const N = 200;
const ROUNDS = 3;
let seq = 0;

async function freshCloud(db: Database) {
  seq++;
  const [cloud] = await db
    .insert(privateClouds)
    .values({
      azureResourceId: `/subscriptions/bench/resourceGroups/rg/providers/Microsoft.AVS/privateClouds/bench-${seq}-${Date.now()}`,
      subscriptionId: "bench",
      resourceGroup: "rg",
      name: `bench-${seq}`,
      region: "westeurope",
      networkBlock: "10.100.0.0/22",
    })
    .returning();
  const [pool] = await db.insert(vlanPools).values({ privateCloudId: cloud!.id }).returning();
  return { cloud: cloud!, pool: pool! };
}

function onboarding(cloudId: string, n: number) {
  return onboardTenantInput.parse({
    privateCloudId: cloudId,
    slug: `b${seq}-${n}`,
    displayName: `Bench ${n}`,
    contacts: [{ name: "Bench", email: "bench@example.com" }],
    sourceEnvironment: "other",
    transport: "ipsec-vpn",
    subnet: `172.${16 + Math.floor(n / 256)}.${n % 256}.0/24`,
    gatewayLocation: "source",
    sourceGatewayUnderlayIp: "198.51.100.1",
  });
}

async function rate(work: () => Promise<void>): Promise<number> {
  const started = performance.now();
  await work();
  return N / ((performance.now() - started) / 1000);
}

async function best(measure: () => Promise<number>): Promise<number> {
  let top = 0;
  for (let round = 0; round < ROUNDS; round++) top = Math.max(top, await measure());
  return top;
}

export type AllocationFigures = Record<"onboardSequential" | "onboardConcurrent" | "allocateSequential" | "allocateConcurrent", number>;

export async function benchAllocation(target: DatabaseTarget): Promise<AllocationFigures> {
  const handle = await openDatabase(target);
  const { db } = handle;
  try {
    const onboardSequential = await best(async () => {
      const { cloud } = await freshCloud(db);
      return rate(async () => {
        for (let n = 0; n < N; n++) if (!(await onboardTenant(db, null, onboarding(cloud.id, n))).ok) throw new Error("onboarding refused");
      });
    });
    const onboardConcurrent = await best(async () => {
      const { cloud } = await freshCloud(db);
      return rate(async () => {
        const results = await Promise.all(Array.from({ length: N }, (_, n) => onboardTenant(db, null, onboarding(cloud.id, n))));
        if (results.some((r) => !r.ok)) throw new Error("onboarding refused");
      });
    });
    const bare = async (concurrent: boolean) => {
      const { cloud, pool } = await freshCloud(db);
      const ids = await db
        .insert(tenants)
        .values(Array.from({ length: N }, (_, n) => ({ ...onboarding(cloud.id, n), contacts: [], privateCloudId: cloud.id, slug: `a${seq}-${n}`, subnet: "10.200.0.0/24" })))
        .returning({ id: tenants.id });
      const allocate = (tenantId: string) => db.transaction((tx) => allocateVlan(tx, { poolId: pool.id, tenantId, vlan: "next" }));
      return rate(async () => {
        if (concurrent) await Promise.all(ids.map(({ id }) => allocate(id)));
        else for (const { id } of ids) await allocate(id);
      });
    };
    return {
      onboardSequential,
      onboardConcurrent,
      allocateSequential: await best(() => bare(false)),
      allocateConcurrent: await best(() => bare(true)),
    };
  } finally {
    await handle.close();
  }
}

export function tempPgliteTarget(): DatabaseTarget {
  return { kind: "pglite", dataDir: path.join(fs.mkdtempSync(path.join(os.tmpdir(), "bridgehead-bench-")), "pglite") };
}
