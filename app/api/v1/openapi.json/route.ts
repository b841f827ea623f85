import { z } from "zod";
import { defineRoute } from "@/lib/auth/guards";
import { MAX_BATCH, sampleSchema, telemetryBatchSchema } from "@/lib/validation/telemetry";

export const dynamic = "force-static";

const errorBody = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "string" }, fields: { type: "object", additionalProperties: { type: "array", items: { type: "string" } } } },
};

/** The agents' contract, generated from the very schemas the ingest API validates with. */
export const GET = defineRoute({ access: "anonymous" }, async () =>
  Response.json({
    openapi: "3.1.0",
    info: { title: "Bridgehead telemetry ingest", version: "1" },
    components: {
      securitySchemes: { agentToken: { type: "http", scheme: "bearer", description: "The endpoint's agent token (agt_…), rotatable in the console." } },
      schemas: { Sample: z.toJSONSchema(sampleSchema), Batch: z.toJSONSchema(telemetryBatchSchema), Error: errorBody },
    },
    paths: {
      "/api/v1/telemetry": {
        post: {
          summary: `Send one sample, or a batch of up to ${MAX_BATCH}`,
          security: [{ agentToken: [] }],
          requestBody: {
            required: true,
            content: { "application/json": { schema: { oneOf: [{ $ref: "#/components/schemas/Sample" }, { $ref: "#/components/schemas/Batch" }] } } },
          },
          responses: {
            "202": {
              description: "Stored. Re-sent samples (same endpoint and time) are counted as duplicates, not stored twice.",
              content: { "application/json": { schema: { type: "object", properties: { accepted: { type: "integer" }, duplicates: { type: "integer" } } } } },
            },
            "400": { description: "A field is wrong; nothing was stored", content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } } },
            "401": { description: "Missing, unknown or rotated token" },
            "413": { description: "Batch or body too large" },
            "429": { description: "Sending too fast; see Retry-After", headers: { "Retry-After": { schema: { type: "integer" } } } },
          },
        },
      },
    },
  }),
);
