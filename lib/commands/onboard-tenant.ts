/**
 * Onboarding: the tenant, its VLAN and VNI, and its (pending) segment, in one transaction.
 * Either all of it commits or none of it does: a refused subnet, a taken slug or an exhausted
 * pool leaves no tenant, no allocation and no segment behind.
 */
import "server-only";
import { eq, sql } from "drizzle-orm";
import { recordAudit } from "@/lib/audit";
import type { Principal } from "@/lib/auth/permissions";
import type { Database } from "@/lib/db/client";
import { isUniqueViolation } from "@/lib/db/errors";
import { privateClouds, segments, tenants, vlanPools } from "@/lib/db/schema";
import { describeConflicts } from "@/lib/domain/reserved-space";
import { segmentDisplayNameFor, segmentNameFor } from "@/lib/domain/segment";
import { firstHostGateway, initialStage } from "@/lib/domain/stretch";
import { checkSubnetAddressSpace } from "@/lib/queries/address-space";
import type { OnboardTenantInput } from "@/lib/validation/tenant";
import { allocateVlan } from "./allocate-vlan";
import type { CommandRefusal } from "./result";

export type OnboardResult = { ok: true; tenantId: string; slug: string; vlanId: number; vni: number } | CommandRefusal;

/** Thrown inside the transaction to roll it back and carry the refusal out. */
class Refused extends Error {
  constructor(readonly refusal: CommandRefusal) {
    super(refusal.message);
  }
}

const refuse = (field: string, error: string, status: CommandRefusal["status"] = 400): never => {
  throw new Refused({ ok: false, status, message: "Some fields need attention.", errors: { [field]: [error] } });
};

/**
 * Takes the onboarding locks of these private clouds, held to the end of the transaction, in
 * one fixed order (by id) whatever order the caller names them in: two bulk imports touching the
 * same clouds in opposite row orders then queue instead of each holding what the other waits for
 * (a deadlock PostgreSQL would end by killing one). Taking one again in the same transaction is
 * free, as advisory locks stack.
 */
export async function lockCloudsForOnboarding(tx: Database, cloudIds: readonly string[]): Promise<void> {
  for (const id of [...new Set(cloudIds)].sort()) {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`bridgehead:onboard:${id}`}))`);
  }
}

export async function onboardTenant(db: Database, actor: Principal | null, input: OnboardTenantInput, now = new Date()): Promise<OnboardResult> {
  try {
    return await db.transaction(async (tx) => {
      const [cloud] = await tx.select().from(privateClouds).where(eq(privateClouds.id, input.privateCloudId));
      if (!cloud) return refuse("privateCloudId", "No such private cloud.", 404);

      // Onboardings into one private cloud take turns, so two overlapping subnets cannot both
      // pass the check below. (PGlite runs one transaction at a time anyway.) A bulk import has
      // taken it already, with its other clouds', in lockCloudsForOnboarding's order.
      await lockCloudsForOnboarding(tx, [cloud.id]);

      const conflicts = await checkSubnetAddressSpace(tx, cloud, input.subnet);
      if (conflicts.length > 0) refuse("subnet", describeConflicts(input.subnet, conflicts));

      const pool = await poolFor(tx, cloud.id);
      const firstTier1 = cloud.tier1Gateways[0]?.id ?? null;
      let tenantId: string;
      try {
        tenantId = await tx.transaction(async (savepoint) => {
          const [row] = await savepoint
            .insert(tenants)
            .values({
              slug: input.slug,
              displayName: input.displayName,
              privateCloudId: cloud.id,
              contacts: input.contacts,
              sourceEnvironment: input.sourceEnvironment,
              transport: input.transport,
              encapsulation: input.encapsulation,
              subnet: input.subnet,
              gatewayLocation: input.gatewayLocation,
              underlayMtu: input.underlayMtu,
              sourceGatewayUnderlayIp: input.sourceGatewayUnderlayIp,
              latencyObjectiveMs: input.latencyObjectiveMs,
              plannedCutoverOn: input.plannedCutoverOn,
              stretchStartedOn: now.toISOString().slice(0, 10),
              // A gateway in AVS from the start: nothing is left to move, the stretch is cut over.
              stretchStage: initialStage(input.gatewayLocation),
              ...(input.gatewayLocation === "avs" && firstTier1
                ? { cutoverGatewayAddress: firstHostGateway(input.subnet), cutoverTier1Id: firstTier1 }
                : {}),
              state: "onboarding",
            })
            .returning({ id: tenants.id });
          return row!.id;
        });
      } catch (error) {
        if (isUniqueViolation(error)) return refuse("slug", `The slug “${input.slug}” is already used by another tenant.`, 409);
        throw error;
      }

      const grant = await allocateVlan(tx, { poolId: pool.id, tenantId, vlan: input.vlan, vni: input.vni }, now);
      if (!grant.ok) return refuse(grant.field, grant.error, 409);

      const tier1 = input.gatewayLocation === "avs" ? (cloud.tier1Gateways[0]?.id ?? null) : null;
      if (input.gatewayLocation === "avs" && !tier1) {
        refuse("gatewayLocation", `${cloud.name} has no NSX-T Tier-1 gateway to route this segment; keep the gateway at the source site.`);
      }
      await tx.insert(segments).values({
        tenantId,
        privateCloudId: cloud.id,
        segmentName: segmentNameFor(input.slug),
        displayName: segmentDisplayNameFor(input.slug, grant.vlanId),
        tier1GatewayId: tier1,
        // With the gateway in AVS the segment hangs off the Tier-1 with the subnet's first host as gateway.
        gatewayAddress: tier1 ? firstHostGateway(input.subnet) : null,
      });
      await recordAudit(tx, actor, {
        action: "tenant.onboard",
        entityType: "tenant",
        entityId: tenantId,
        tenantId,
        after: { ...input, vlanId: grant.vlanId, vni: grant.vni },
      });
      return { ok: true as const, tenantId, slug: input.slug, vlanId: grant.vlanId, vni: grant.vni };
    });
  } catch (error) {
    if (error instanceof Refused) return error.refusal;
    throw error;
  }
}

/** The private cloud's pool, made with the defaults the first time a tenant lands there. */
async function poolFor(tx: Database, privateCloudId: string) {
  const [existing] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, privateCloudId));
  if (existing) return existing;
  const [created] = await tx.insert(vlanPools).values({ privateCloudId }).onConflictDoNothing().returning();
  if (created) return created;
  const [raced] = await tx.select().from(vlanPools).where(eq(vlanPools.privateCloudId, privateCloudId));
  return raced!;
}
