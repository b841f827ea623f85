// swagger-ui-dist's prebuilt bundle (Swagger UI with its own React, already compiled): the
// package's types describe it as SwaggerUIBundle but declare no module for the file itself.
declare module "swagger-ui-dist/swagger-ui-es-bundle.js" {
  import type { SwaggerUIBundle } from "swagger-ui-dist";
  const SwaggerUI: SwaggerUIBundle;
  export default SwaggerUI;
}
