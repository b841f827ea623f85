import { openApiDocument } from "@/lib/api/openapi/document";
import { defineRoute } from "@/lib/auth/guards";

export const dynamic = "force-static";

/** The API's contract, generated from the very zod schemas the routes validate with (lib/api/openapi). */
export const GET = defineRoute({ access: "anonymous" }, async () => Response.json(openApiDocument()));
