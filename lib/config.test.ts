import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, readConfig } from "./config";

describe("readConfig", () => {
  it("defaults every concern to its embedded mode", () => {
    const config = readConfig({});
    expect(config.database).toEqual({ kind: "pglite", dataDir: path.resolve("data", "pglite") });
    expect(config.azure).toEqual({ mode: "emulator" });
    expect(config.identity).toEqual({ mode: "builtin" });
    expect(config.tls.enabled).toBe(true);
    expect(config).toMatchObject({ host: "127.0.0.1", port: 3000, publicUrl: "https://localhost:3000" });
    expect(config).toMatchObject({ sessionIdleMinutes: 60, agentTokenGraceHours: 24, ingestMaxPostsInProgress: 256 });
  });

  it("reads the limit of agents' posts in progress", () => {
    expect(readConfig({ INGEST_MAX_POSTS_IN_PROGRESS: "64" }).ingestMaxPostsInProgress).toBe(64);
  });

  it("reads the idle timeout and the agent token grace window", () => {
    expect(readConfig({ SESSION_IDLE_MINUTES: "15", AGENT_TOKEN_GRACE_HOURS: "0" })).toMatchObject({ sessionIdleMinutes: 15, agentTokenGraceHours: 0 });
  });

  it("switches each concern to the real service by its variables", () => {
    const config = readConfig({
      DATA_DIR: "/var/lib/bridgehead",
      DATABASE_URL: "postgresql://app@db:5432/bridgehead",
      SESSION_SECRET: "x".repeat(32),
      SECRETS_KEY: "y".repeat(32),
      AZURE_SUBSCRIPTION_ID: "sub-1",
      AZURE_RESOURCE_GROUP: "rg-avs",
      ENTRA_TENANT_ID: "0d6c2a5e-1b7f-4c1e-9a57-3f1f6f1c7a01",
      ENTRA_CLIENT_ID: "c",
      TLS: "off",
      PORT: "8080",
      HOST: "0.0.0.0",
    });
    expect(config.dataDir).toBe("/var/lib/bridgehead");
    expect(config.database).toEqual({ kind: "postgres", url: "postgresql://app@db:5432/bridgehead" });
    expect(config.azure).toEqual({ mode: "azure", subscriptionId: "sub-1", resourceGroup: "rg-avs" });
    expect(config.identity).toEqual({ mode: "entra", tenantId: "0d6c2a5e-1b7f-4c1e-9a57-3f1f6f1c7a01", clientId: "c", authority: "https://login.microsoftonline.com", appIdUri: "api://c" });
    expect(config.tls.enabled).toBe(false);
    expect(config).toMatchObject({ host: "0.0.0.0", port: 8080 });
  });

  it("treats empty variables as unset", () => {
    expect(readConfig({ DATABASE_URL: "", AZURE_SUBSCRIPTION_ID: "  " }).database.kind).toBe("pglite");
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must start with postgres:\/\//],
    [{ DATABASE_URL: "postgres://db/x", BUILTIN_SIGN_IN: "on" }, /also set SESSION_SECRET/],
    [{ DATABASE_URL: "postgres://db/x", SESSION_SECRET: "s".repeat(32), BUILTIN_SIGN_IN: "on" }, /also set SECRETS_KEY/],
    [{ DATABASE_URL: "postgres://db/x", SESSION_SECRET: "s".repeat(32), SECRETS_KEY: "k".repeat(32) }, /passwords are public/],
    [{ SECRETS_KEY: "short" }, /SECRETS_KEY must be at least 32 characters/],
    [{ AZURE_SUBSCRIPTION_ID: "sub" }, /set ENTRA_TENANT_ID and ENTRA_CLIENT_ID/],
    [{ AZURE_SUBSCRIPTION_ID: "sub", BUILTIN_SIGN_IN: "on" }, /set ENTRA_TENANT_ID and ENTRA_CLIENT_ID/],
    [{ SESSION_SECRET: "short" }, /SESSION_SECRET must be at least 32 characters/],
    [{ PORT: "http" }, /PORT must be a TCP port number/],
    [{ PUBLIC_URL: "https://console.example/path" }, /PUBLIC_URL must be an origin/],
    [{ TLS: "off" }, /TLS=off is only allowed with Microsoft Entra ID/],
    [{ ENTRA_TENANT_ID: "0d6c2a5e-1b7f-4c1e-9a57-3f1f6f1c7a01" }, /Set both ENTRA_TENANT_ID and ENTRA_CLIENT_ID/],
    [{ TLS_CERT_FILE: "/c.pem" }, /Set both TLS_CERT_FILE and TLS_KEY_FILE/],
    [{ SESSION_IDLE_MINUTES: "2" }, /SESSION_IDLE_MINUTES must be a whole number of minutes from 5 to 480/],
    [{ SESSION_IDLE_MINUTES: "1.5" }, /SESSION_IDLE_MINUTES must be a whole number/],
    [{ SESSION_IDLE_MINUTES: "600" }, /from 5 to 480/],
    [{ AGENT_TOKEN_GRACE_HOURS: "-1" }, /AGENT_TOKEN_GRACE_HOURS must be a whole number of hours from 0 to 720/],
    [{ AGENT_TOKEN_GRACE_HOURS: "1000" }, /from 0 to 720/],
    [{ INGEST_MAX_POSTS_IN_PROGRESS: "0" }, /INGEST_MAX_POSTS_IN_PROGRESS must be a whole number of agents' posts, at least 1/],
    [{ INGEST_MAX_POSTS_IN_PROGRESS: "many" }, /INGEST_MAX_POSTS_IN_PROGRESS must be a whole number/],
    [{ ENTRA_AUTHORITY: "http://login.microsoftonline.us" }, /ENTRA_AUTHORITY must be an https origin/],
    [{ ENTRA_AUTHORITY: "https://login.microsoftonline.us/tenant" }, /ENTRA_AUTHORITY must be an https origin/],
    [{ ENTRA_APP_ID_URI: "bridgehead" }, /ENTRA_APP_ID_URI must be the app registration's Application ID URI/],
    // A user-info part makes the keys come from the host after '@', whoever reads the setting sees the one before it.
    [{ ENTRA_AUTHORITY: "https://login.microsoftonline.com@keys.attacker.example" }, /ENTRA_AUTHORITY must be an https origin/],
    // Tokens name their tenant by ID: with a domain, 'common' or 'organizations' no token would ever be accepted.
    [{ ENTRA_TENANT_ID: "contoso.onmicrosoft.com", ENTRA_CLIENT_ID: "c" }, /ENTRA_TENANT_ID must be the directory \(tenant\) ID/],
    [{ ENTRA_TENANT_ID: "common", ENTRA_CLIENT_ID: "c" }, /ENTRA_TENANT_ID must be the directory \(tenant\) ID/],
  ])("rejects %o with a message that says what to fix", (env, message) => {
    expect(() => readConfig(env)).toThrow(ConfigError);
    expect(() => readConfig(env)).toThrow(message);
  });
});
