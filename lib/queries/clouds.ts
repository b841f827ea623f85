/** The private clouds as last read from Azure (or the emulator): for pickers and for their own page. */
import "server-only";
import { asc } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { privateClouds } from "@/lib/db/schema";

/** Name, region and /22 of each, for the forms and filters that pick one. */
export async function listPrivateClouds(db: Database) {
  return db
    .select({ id: privateClouds.id, name: privateClouds.name, region: privateClouds.region, networkBlock: privateClouds.networkBlock })
    .from(privateClouds)
    .orderBy(asc(privateClouds.name));
}

/** Everything the console keeps of each, for the private clouds page. */
export async function listPrivateCloudDetails(db: Database) {
  return db.select().from(privateClouds).orderBy(asc(privateClouds.name));
}
