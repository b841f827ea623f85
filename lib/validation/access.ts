import { z } from "zod";
import { keysOf } from "@/lib/domain/keys-of";
import { PRINCIPAL_KINDS, TENANT_ROLES } from "@/lib/domain/tenant-options";

/** Entra object ids are GUIDs; sign-in names are e-mail-shaped UPNs. Both are stored lower-cased. */
export const membershipInput = z
  .object({
    tenantSlug: z.string().trim().min(1, "Choose a tenant."),
    principalKind: z.enum(keysOf(PRINCIPAL_KINDS), { message: "Choose object id or sign-in name." }),
    principal: z.string().trim().toLowerCase().min(1, "Enter the user's object id or sign-in name.").max(254, "At most 254 characters."),
    role: z.enum(keysOf(TENANT_ROLES), { message: "Choose tenant admin or tenant viewer." }),
  })
  .superRefine((value, ctx) => {
    const valid =
      value.principalKind === "object-id"
        ? z.string().uuid().safeParse(value.principal).success
        : z.string().email().safeParse(value.principal).success;
    if (!valid) {
      ctx.addIssue({
        code: "custom",
        path: ["principal"],
        message:
          value.principalKind === "object-id"
            ? "An object id is a GUID such as 3f2504e0-4f89-41d3-9a0c-0305e82c3301."
            : "A sign-in name looks like an e-mail address, such as ada@contoso.com.",
      });
    }
  });

export type MembershipInput = z.infer<typeof membershipInput>;

export const displayNameInput = z.object({
  name: z
    .string()
    .trim()
    .min(1, "Give the display a name, such as “NOC wall 1”.")
    .max(80, "At most 80 characters.")
    .regex(/^[\p{L}\p{N} ._()#-]+$/u, "Use letters, digits, spaces and . _ ( ) # - only."),
});

export const idInput = z.object({ id: z.string().uuid("Not a valid id.") });
