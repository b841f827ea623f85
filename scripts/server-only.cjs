// Modules that must never reach a browser bundle start with `import "server-only"`. Next resolves
// that package to an empty module when it bundles server code and fails the build when a client
// component imports one. Plain Node (the custom server under tsx, benchmarks, scripts) resolves
// its default export, which throws; this preload lets Node load the same modules unchanged.
const Module = require("node:module");
const path = require("node:path");

const markerDir = path.dirname(require.resolve("server-only"));
const empty = path.join(markerDir, "empty.js");
const resolveFilename = Module._resolveFilename;

Module._resolveFilename = function resolveServerOnly(request, ...rest) {
  return request === "server-only" ? empty : resolveFilename.call(this, request, ...rest);
};
