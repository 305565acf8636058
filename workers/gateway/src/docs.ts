/**
 * The interactive API reference: Swagger UI (the swagger-ui-dist package) rendering /openapi.json. Its
 * files are the gateway's static assets, copied from the package by scripts/docs-assets.mjs, so the page
 * needs no network but this origin. "Authorize" takes a bearer token that "Try it out" then sends.
 */
export const DOCS_ASSETS = "/docs/swagger-ui";

/** Swagger UI's options. */
const options = `{
  url: "/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "list",
  defaultModelsExpandDepth: 0,
  tryItOutEnabled: true,
  // The default sends the document to swagger.io for a validity badge: no network but this origin.
  validatorUrl: null,
  // Idempotency-Key is required where money moves: each form starts with a fresh one (executing the same
  // form again replays the first answer, as a client retry would).
  parameterMacro: (operation, parameter) =>
    parameter.in === "header" && parameter.name.toLowerCase() === "idempotency-key" ? crypto.randomUUID() : undefined,
}`;

export const DOCS_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Edge Finance API reference</title>
<link rel="icon" type="image/png" href="${DOCS_ASSETS}/favicon-32x32.png">
<link rel="stylesheet" href="${DOCS_ASSETS}/swagger-ui.css">
<style>body{margin:0}</style>
</head><body>
<div id="swagger-ui"></div>
<script src="${DOCS_ASSETS}/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle(${options});</script>
</body></html>`;
