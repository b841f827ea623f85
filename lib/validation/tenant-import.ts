import { z } from "zod";
import { BULK_MODES } from "@/lib/domain/bulk-rows";

const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** The import form: a CSV file, what to do with it, and the private cloud for rows that name none. */
export const importTenantsInput = z.object({
  file: z
    .instanceof(Blob, { message: "Choose a CSV file." })
    .refine((file) => file.size > 0, "The file is empty.")
    .refine((file) => file.size <= MAX_FILE_BYTES, "At most 4 MB (1000 rows) at a time."),
  mode: z.enum(BULK_MODES, { message: "Choose a dry run, all or nothing, or row by row." }),
  privateCloudId: z.preprocess((value) => (value === "" ? undefined : value), z.string().uuid("Choose a private cloud.").optional()),
});
