import { z } from "zod";
import { parseCidr } from "@/lib/domain/cidr";

/** Narrower than these, a reservation would refuse nearly every subnet: surely a typo. */
const WIDEST = { ipv4: 8, ipv6: 16 } as const;

export const reservedRangeInput = z.object({
  /** "all", or the id of one private cloud. */
  scope: z.string().refine((value) => value === "all" || z.uuid().safeParse(value).success, "Choose every private cloud, or one."),
  cidr: z.string().transform((text, ctx) => {
    const parsed = parseCidr(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    const widest = WIDEST[parsed.cidr.family];
    if (parsed.cidr.prefix < widest) {
      ctx.addIssue({ code: "custom", message: `${parsed.cidr.canonical} would reserve almost everything; reserve /${widest} or narrower.` });
      return z.NEVER;
    }
    return parsed.cidr.canonical;
  }),
  reason: z
    .string()
    .trim()
    .min(3, "Say why it is reserved, e.g. “Head office LAN” or “Hub VNet”.")
    .max(120, "At most 120 characters.")
    .regex(/^[\p{L}\p{N} .,:;/()&'+#_-]+$/u, "Use letters, digits, spaces and . , : ; / ( ) & ' + # _ - only."),
});

export type ReservedRangeInput = z.infer<typeof reservedRangeInput>;
