import { buildOpenApiDocument } from "./build";
import { NAMED_SCHEMAS, OPERATIONS } from "./operations";

/** The document served at /api/v1/openapi.json. */
export function openApiDocument() {
  return buildOpenApiDocument(
    OPERATIONS,
    {
      title: "Bridgehead API",
      version: "1",
      description:
        "Everything the console does, for scripts: send an API token (Admin → Settings → API tokens) as `Authorization: Bearer bh_…`. " +
        "A read token reads; a write token also changes and downloads configs; a token limited to one tenant reaches only it " +
        "(operations marked x-fleet-wide refuse it with 403; another tenant's resources answer 404). " +
        "Errors are RFC 9457 problem+json naming each bad field. Telemetry agents post with their own agt_ tokens.",
    },
    NAMED_SCHEMAS,
  );
}
