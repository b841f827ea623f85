import { z } from "zod";
import { parseVlanList, parseVlanRanges } from "@/lib/domain/vlan";

export const updatePoolInput = z.object({
  privateCloudId: z.string().uuid("Choose a private cloud."),
  ranges: z.string().transform((text, ctx) => {
    const parsed = parseVlanRanges(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.ranges;
  }),
  reserved: z.string().transform((text, ctx) => {
    const parsed = parseVlanList(text);
    if (!parsed.ok) {
      ctx.addIssue({ code: "custom", message: parsed.error });
      return z.NEVER;
    }
    return parsed.ids;
  }),
  quarantineDays: z.coerce.number({ message: "Enter a number of days." }).int("Whole days.").min(0, "0 or more days.").max(3650, "At most 3650 days."),
});
export type UpdatePoolInput = z.infer<typeof updatePoolInput>;
