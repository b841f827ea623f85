"use client";

import { useEffect, useRef } from "react";
import type { SwaggerRequest } from "swagger-ui-dist";
import SwaggerUI from "swagger-ui-dist/swagger-ui-es-bundle.js";
import "swagger-ui-dist/swagger-ui.css";
import "./swagger-view.css";

/**
 * "Try it" speaks as a script: no cookies, so a call succeeds only with the token the operator
 * pasted into Authorize (and an admin's session never rides along on a write).
 */
function withoutCookies(request: SwaggerRequest): SwaggerRequest {
  request.credentials = "omit";
  return request;
}

/**
 * Swagger UI's prebuilt bundle, mounted into a node React leaves alone. The bundle rather than
 * swagger-ui-react: Turbopack miscompiles the latter's OpenAPI 3.1 parser (ApiDOM; "refract is
 * not a function"), while the bundle arrives already compiled.
 */
export function SwaggerView() {
  const node = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const target = node.current;
    if (!target) return;
    SwaggerUI({
      domNode: target,
      url: "/api/v1/openapi.json",
      requestInterceptor: withoutCookies,
      // Authorize keeps the token in memory only: nothing in localStorage, gone on reload.
      persistAuthorization: false,
      deepLinking: false,
      docExpansion: "list",
      defaultModelsExpandDepth: 0,
      displayRequestDuration: true,
      // No badge fetched from the validator's public site: nothing leaves the console's origin.
      validatorUrl: null,
      // Swagger UI draws its operations in a <main> of its own; the console's page already is
      // the main landmark, so the operations become a named region inside it.
      onComplete: () => {
        const operations = target.querySelector("main#operations");
        operations?.setAttribute("role", "region");
        operations?.setAttribute("aria-label", "Operations");
      },
    });
    return () => target.replaceChildren();
  }, []);
  // `light`: Swagger UI's palette is for a white page, so in the dark theme it keeps a light surface (swagger-view.css).
  return <div ref={node} className="api-reference light" />;
}
