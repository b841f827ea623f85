"use server";

import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { defineAction } from "@/lib/auth/guards";
import { getAvsRuntime } from "@/lib/avs/runtime";

const input = z.object({
  kind: z.enum(["latency", "throttle", "error", "fail-operation", "hang"], { message: "Choose a fault." }),
  method: z.preprocess((v) => (v === "" ? undefined : v), z.enum(["GET", "PUT", "DELETE"]).optional()),
  pathIncludes: z.preprocess((v) => (v === "" ? undefined : v), z.string().trim().max(200).regex(/^[\w./-]+$/, "Letters, digits and . / - _ only.").optional()),
  times: z.coerce.number().int("Whole times.").min(1, "At least once.").max(100, "At most 100 times."),
  retryAfterSeconds: z.coerce.number().int().min(0).max(3600).optional(),
  latencyMs: z.coerce.number().int().min(0).max(60_000).optional(),
});

/** Demo and test tool: makes the built-in AVS emulator misbehave. Refused against real Azure. */
export const injectEmulatorFault = defineAction({ input, access: "fleet:write" }, async (fault, { db, principal }) => {
  const { emulator } = getAvsRuntime();
  if (!emulator) return { ok: false, status: 409, message: "Faults can only be injected into the built-in emulator, not real Azure." };
  // A hang from the UI ends by itself, so it can never hold a request (or a shutdown) forever.
  emulator.faults.add(fault.kind === "hang" ? { ...fault, hangMs: 30_000 } : fault);
  await recordAudit(db, principal, { action: "emulator.fault", entityType: "emulator", entityId: "avs", after: fault });
  return { ok: true, data: undefined, message: `Injected: ${fault.kind} × ${fault.times}${fault.pathIncludes ? ` on paths containing “${fault.pathIncludes}”` : ""}.` };
});

export const clearEmulatorFaults = defineAction({ input: z.object({}), access: "fleet:write" }, async (_input, { db, principal }) => {
  const { emulator } = getAvsRuntime();
  if (!emulator) return { ok: false, status: 409, message: "There is no emulator: the console is connected to Azure." };
  emulator.faults.clear();
  await recordAudit(db, principal, { action: "emulator.faults-cleared", entityType: "emulator", entityId: "avs" });
  return { ok: true, data: undefined, message: "All injected faults cleared." };
});
