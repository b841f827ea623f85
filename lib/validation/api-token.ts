import { z } from "zod";

/** Longest an API token may live: a year, so every token is reviewed at least that often. */
export const API_TOKEN_MAX_DAYS = 365;

const emptyToUndefined = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const createApiTokenInput = z.object({
  name: z
    .string()
    .trim()
    .min(3, "At least 3 characters, e.g. netbox-sync.")
    .max(60, "At most 60 characters.")
    .regex(/^[a-z0-9]+([._-][a-z0-9]+)*$/, "Lower-case letters, digits and single . _ - between them, e.g. netbox-sync."),
  scope: z.enum(["read", "write"], { message: "Choose read or write." }),
  /** Empty: every tenant. Otherwise the one tenant (by slug) the token reaches. */
  tenantSlug: z.preprocess(emptyToUndefined, z.string().trim().toLowerCase().max(40).optional()),
  expiresInDays: z.coerce
    .number({ message: "Enter how many days the token lives." })
    .int("A whole number of days.")
    .min(1, "At least 1 day.")
    .max(API_TOKEN_MAX_DAYS, `At most ${API_TOKEN_MAX_DAYS} days.`),
});
export type CreateApiTokenInput = z.infer<typeof createApiTokenInput>;
