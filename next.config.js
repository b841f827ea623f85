/** @type {import('next').NextConfig} */
const nextConfig = {
  // PGlite ships WASM and data files that must be loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["@electric-sql/pglite", "pg", "oidc-provider", "prom-client", "nodemailer", "smtp-server", "mailparser"],
  poweredByHeader: false,
  reactStrictMode: true,
  // forbidden() for pages a signed-in user may not see (lib/auth/page-guard.ts).
  experimental: {
    authInterrupts: true,
    // Said explicitly (it is Next's default) because the tenant import form's file limit is
    // derived from it: lib/validation/tenant-import.ts MAX_IMPORT_FILE_BYTES, checked by a test.
    serverActions: { bodySizeLimit: "1mb" },
  },
};

module.exports = nextConfig;
