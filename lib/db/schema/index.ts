/**
 * The whole Bridgehead domain in one drizzle `pg-core` schema. The same migrations serve the
 * embedded PGlite database and a real PostgreSQL server, so nothing here may use an extension
 * or a feature PGlite lacks.
 *
 * The rule that shapes it: one tenant = one VLAN = one NSX-T segment. The database enforces it
 * with unique indexes rather than trusting application code, because several app instances
 * may share one PostgreSQL.
 *
 * One file per part of the domain; drizzle-kit and every import read this index.
 */
export * from "./enums";
export * from "./clouds";
export * from "./tenants";
export * from "./segments";
export * from "./tunnels";
export * from "./telemetry";
export * from "./warnings";
export * from "./people";
export * from "./notifications";
export * from "./api";
