import { z } from "zod";
import { BULK_MODES } from "@/lib/domain/bulk-rows";

/**
 * The import form's file limit. The form posts to a server action, whose whole body Next.js caps
 * at experimental.serverActions.bodySizeLimit in next.config.js (1 MB): the file must fit in it
 * with the form's other fields and the multipart framing, so it is 64 KiB under. 1000 rows of
 * this CSV take about 150 KB. (POST /api/v1/tenant-imports has its own limit.)
 */
export const MAX_IMPORT_FILE_BYTES = 960 * 1024;

/** The import form: a CSV file, what to do with it, and the private cloud for rows that name none. */
export const importTenantsInput = z.object({
  file: z
    .instanceof(Blob, { message: "Choose a CSV file." })
    .refine((file) => file.size > 0, "The file is empty.")
    .refine((file) => file.size <= MAX_IMPORT_FILE_BYTES, "At most 960 KB (1000 rows) at a time."),
  mode: z.enum(BULK_MODES, { message: "Choose a dry run, all or nothing, or row by row." }),
  privateCloudId: z.preprocess((value) => (value === "" ? undefined : value), z.string().uuid("Choose a private cloud.").optional()),
});
