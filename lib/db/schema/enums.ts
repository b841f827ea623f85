/**
 * Enumerations: the stored values, taken from the vocabulary in lib/domain (which carries their
 * labels, symbols and colours). A value added there needs a migration here (npm run db:generate).
 */
import { pgEnum } from "drizzle-orm/pg-core";
import { keysOf } from "@/lib/domain/keys-of";
import { CHANNEL_KINDS, DELIVERY_EVENTS, DELIVERY_STATUSES } from "@/lib/domain/notifications";
import { PAIR_END_ROLES, SEGMENT_STATES, STRETCH_STAGES, TENANT_STATES, TUNNEL_STATUSES, VLAN_ALLOCATION_STATES, WARNING_SEVERITIES, WARNING_STATES } from "@/lib/domain/status";
import { ENCAPSULATIONS, GATEWAY_LOCATIONS, PRINCIPAL_KINDS, SIDES, SOURCE_ENVIRONMENTS, TENANT_ROLES, TRANSPORTS } from "@/lib/domain/tenant-options";

export const sourceEnvironment = pgEnum("source_environment", keysOf(SOURCE_ENVIRONMENTS));
export const transportKind = pgEnum("transport_kind", keysOf(TRANSPORTS));
export const encapsulationKind = pgEnum("encapsulation_kind", keysOf(ENCAPSULATIONS));
export const gatewayLocation = pgEnum("gateway_location", keysOf(GATEWAY_LOCATIONS));
export const tenantState = pgEnum("tenant_state", TENANT_STATES);
export const vlanAllocationState = pgEnum("vlan_allocation_state", VLAN_ALLOCATION_STATES);
export const segmentState = pgEnum("segment_state", SEGMENT_STATES);
export const tunnelEndpointSide = pgEnum("tunnel_endpoint_side", SIDES);
export const tunnelStatus = pgEnum("tunnel_status", TUNNEL_STATUSES);
export const warningSeverity = pgEnum("warning_severity", WARNING_SEVERITIES);
export const warningState = pgEnum("warning_state", WARNING_STATES);
export const rollupResolution = pgEnum("rollup_resolution", ["1m", "1h"]);
export const pairEndRole = pgEnum("pair_end_role", PAIR_END_ROLES);
export const stretchStage = pgEnum("stretch_stage", STRETCH_STAGES);
export const membershipPrincipalKind = pgEnum("membership_principal_kind", keysOf(PRINCIPAL_KINDS));
export const membershipRole = pgEnum("membership_role", keysOf(TENANT_ROLES));
export const notificationChannelKind = pgEnum("notification_channel_kind", CHANNEL_KINDS);
export const notificationDeliveryEvent = pgEnum("notification_delivery_event", DELIVERY_EVENTS);
export const notificationDeliveryStatus = pgEnum("notification_delivery_status", DELIVERY_STATUSES);
export const sessionKind = pgEnum("session_kind", ["user", "display"]);
