CREATE TYPE "public"."encapsulation_kind" AS ENUM('vxlan', 'l2tpv3');--> statement-breakpoint
CREATE TYPE "public"."gateway_location" AS ENUM('source', 'avs');--> statement-breakpoint
CREATE TYPE "public"."membership_principal_kind" AS ENUM('object-id', 'sign-in-name');--> statement-breakpoint
CREATE TYPE "public"."membership_role" AS ENUM('tenant-admin', 'tenant-viewer');--> statement-breakpoint
CREATE TYPE "public"."rollup_resolution" AS ENUM('1m', '1h');--> statement-breakpoint
CREATE TYPE "public"."segment_state" AS ENUM('pending', 'provisioning', 'ready', 'failed', 'deleting', 'deleted', 'drifted');--> statement-breakpoint
CREATE TYPE "public"."source_environment" AS ENUM('hyper-v', 'kvm-proxmox', 'openstack', 'rhv', 'bare-metal', 'other');--> statement-breakpoint
CREATE TYPE "public"."tenant_state" AS ENUM('onboarding', 'active', 'offboarding', 'offboarded');--> statement-breakpoint
CREATE TYPE "public"."transport_kind" AS ENUM('ipsec-vpn', 'expressroute-global-reach', 'sd-wan');--> statement-breakpoint
CREATE TYPE "public"."tunnel_endpoint_side" AS ENUM('source', 'avs');--> statement-breakpoint
CREATE TYPE "public"."tunnel_status" AS ENUM('operational', 'degraded', 'down', 'stale', 'maintenance');--> statement-breakpoint
CREATE TYPE "public"."vlan_allocation_state" AS ENUM('allocated', 'quarantined', 'released');--> statement-breakpoint
CREATE TYPE "public"."warning_severity" AS ENUM('info', 'warning', 'critical');--> statement-breakpoint
CREATE TYPE "public"."warning_state" AS ENUM('open', 'acknowledged', 'resolved');--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"tenant_id" uuid,
	"before" jsonb,
	"after" jsonb
);
--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"principal_kind" "membership_principal_kind" NOT NULL,
	"principal" text NOT NULL,
	"role" "membership_role" DEFAULT 'tenant-admin' NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "noc_displays" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"token_hash" text NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "private_clouds" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"azure_resource_id" text NOT NULL,
	"subscription_id" text NOT NULL,
	"resource_group" text NOT NULL,
	"name" text NOT NULL,
	"region" text NOT NULL,
	"network_block" text NOT NULL,
	"extended_network_blocks" text[] DEFAULT '{}'::text[] NOT NULL,
	"tier1_gateways" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"global_reach_connections" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"last_synced_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "reserved_prefixes" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"private_cloud_id" uuid,
	"cidr" text NOT NULL,
	"description" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "segments" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"private_cloud_id" uuid NOT NULL,
	"segment_name" text NOT NULL,
	"display_name" text NOT NULL,
	"tier1_gateway_id" text,
	"azure_resource_id" text,
	"state" "segment_state" DEFAULT 'pending' NOT NULL,
	"desired" text DEFAULT 'present' NOT NULL,
	"last_error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"operation_url" text,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"locked_by" text,
	"locked_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "telemetry_rollups" (
	"endpoint_id" uuid NOT NULL,
	"resolution" "rollup_resolution" NOT NULL,
	"bucket_start" timestamp with time zone NOT NULL,
	"samples" integer NOT NULL,
	"rtt_avg_ms" double precision,
	"rtt_min_ms" double precision,
	"rtt_max_ms" double precision,
	"jitter_avg_ms" double precision,
	"loss_avg_pct" double precision,
	"df_probe_failures" integer DEFAULT 0 NOT NULL,
	"bum_pps_max" double precision,
	"learned_macs_max" integer,
	CONSTRAINT "telemetry_rollups_endpoint_id_resolution_bucket_start_pk" PRIMARY KEY("endpoint_id","resolution","bucket_start")
);
--> statement-breakpoint
CREATE TABLE "telemetry_samples" (
	"endpoint_id" uuid NOT NULL,
	"measured_at" timestamp with time zone NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"rtt_ms" double precision,
	"jitter_ms" double precision,
	"loss_pct" double precision,
	"df_probe_bytes" integer,
	"df_probe_ok" boolean,
	"path" jsonb,
	"tx_bytes" bigint,
	"rx_bytes" bigint,
	"tx_packets" bigint,
	"rx_packets" bigint,
	"bum_pps" double precision,
	"learned_macs" integer,
	CONSTRAINT "telemetry_samples_endpoint_id_measured_at_pk" PRIMARY KEY("endpoint_id","measured_at")
);
--> statement-breakpoint
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"slug" text NOT NULL,
	"display_name" text NOT NULL,
	"private_cloud_id" uuid NOT NULL,
	"contacts" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"source_environment" "source_environment" NOT NULL,
	"transport" "transport_kind" NOT NULL,
	"encapsulation" "encapsulation_kind" DEFAULT 'vxlan' NOT NULL,
	"subnet" text NOT NULL,
	"gateway_location" "gateway_location" NOT NULL,
	"underlay_mtu" integer DEFAULT 1500 NOT NULL,
	"source_gateway_underlay_ip" text NOT NULL,
	"latency_objective_ms" double precision DEFAULT 20 NOT NULL,
	"stretch_started_on" date,
	"planned_cutover_on" date,
	"state" "tenant_state" DEFAULT 'onboarding' NOT NULL,
	"offboarded_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenants_underlay_mtu_check" CHECK ("tenants"."underlay_mtu" between 576 and 9216)
);
--> statement-breakpoint
CREATE TABLE "tunnel_endpoints" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tunnel_id" uuid NOT NULL,
	"side" "tunnel_endpoint_side" NOT NULL,
	"hostname" text NOT NULL,
	"underlay_ip" text NOT NULL,
	"agent_token_hash" text,
	"agent_token_rotated_at" timestamp with time zone,
	"last_sample_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "tunnels" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"ordinal" smallint NOT NULL,
	"name" text NOT NULL,
	"status" "tunnel_status" DEFAULT 'stale' NOT NULL,
	"status_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"psk_ciphertext" text,
	"maintenance_until" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tunnels_ordinal_check" CHECK ("tunnels"."ordinal" in (1, 2))
);
--> statement-breakpoint
CREATE TABLE "users" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"subject" text NOT NULL,
	"sign_in_name" text NOT NULL,
	"display_name" text NOT NULL,
	"last_sign_in_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "vlan_allocations" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"pool_id" uuid NOT NULL,
	"tenant_id" uuid NOT NULL,
	"vlan_id" smallint NOT NULL,
	"vni" integer NOT NULL,
	"state" "vlan_allocation_state" DEFAULT 'allocated' NOT NULL,
	"allocated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"released_at" timestamp with time zone,
	"quarantined_until" timestamp with time zone,
	CONSTRAINT "vlan_allocations_vlan_range_check" CHECK ("vlan_allocations"."vlan_id" between 1 and 4094),
	CONSTRAINT "vlan_allocations_vni_range_check" CHECK ("vlan_allocations"."vni" between 1 and 16777215)
);
--> statement-breakpoint
CREATE TABLE "vlan_pools" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"private_cloud_id" uuid NOT NULL,
	"ranges" jsonb DEFAULT '[{"from":2,"to":4094}]'::jsonb NOT NULL,
	"reserved_vlans" integer[] DEFAULT '{1,1002,1003,1004,1005}'::integer[] NOT NULL,
	"quarantine_days" integer DEFAULT 30 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "vlan_pools_quarantine_days_check" CHECK ("vlan_pools"."quarantine_days" >= 0)
);
--> statement-breakpoint
CREATE TABLE "warnings" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"tunnel_id" uuid,
	"kind" text NOT NULL,
	"severity" "warning_severity" NOT NULL,
	"state" "warning_state" DEFAULT 'open' NOT NULL,
	"dedupe_key" text NOT NULL,
	"message" text NOT NULL,
	"details" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"opened_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone,
	"resolved_by" text
);
--> statement-breakpoint
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "reserved_prefixes" ADD CONSTRAINT "reserved_prefixes_private_cloud_id_private_clouds_id_fk" FOREIGN KEY ("private_cloud_id") REFERENCES "public"."private_clouds"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "segments" ADD CONSTRAINT "segments_private_cloud_id_private_clouds_id_fk" FOREIGN KEY ("private_cloud_id") REFERENCES "public"."private_clouds"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telemetry_rollups" ADD CONSTRAINT "telemetry_rollups_endpoint_id_tunnel_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."tunnel_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "telemetry_samples" ADD CONSTRAINT "telemetry_samples_endpoint_id_tunnel_endpoints_id_fk" FOREIGN KEY ("endpoint_id") REFERENCES "public"."tunnel_endpoints"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tenants" ADD CONSTRAINT "tenants_private_cloud_id_private_clouds_id_fk" FOREIGN KEY ("private_cloud_id") REFERENCES "public"."private_clouds"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD CONSTRAINT "tunnel_endpoints_tunnel_id_tunnels_id_fk" FOREIGN KEY ("tunnel_id") REFERENCES "public"."tunnels"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "tunnels" ADD CONSTRAINT "tunnels_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vlan_allocations" ADD CONSTRAINT "vlan_allocations_pool_id_vlan_pools_id_fk" FOREIGN KEY ("pool_id") REFERENCES "public"."vlan_pools"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vlan_allocations" ADD CONSTRAINT "vlan_allocations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "vlan_pools" ADD CONSTRAINT "vlan_pools_private_cloud_id_private_clouds_id_fk" FOREIGN KEY ("private_cloud_id") REFERENCES "public"."private_clouds"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warnings" ADD CONSTRAINT "warnings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE restrict ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "warnings" ADD CONSTRAINT "warnings_tunnel_id_tunnels_id_fk" FOREIGN KEY ("tunnel_id") REFERENCES "public"."tunnels"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_events_tenant_idx" ON "audit_events" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "audit_events_at_idx" ON "audit_events" USING btree ("at");--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_principal_key" ON "memberships" USING btree ("principal_kind","principal");--> statement-breakpoint
CREATE UNIQUE INDEX "noc_displays_token_key" ON "noc_displays" USING btree ("token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "private_clouds_azure_resource_id_key" ON "private_clouds" USING btree (lower("azure_resource_id"));--> statement-breakpoint
CREATE UNIQUE INDEX "segments_tenant_key" ON "segments" USING btree ("tenant_id");--> statement-breakpoint
CREATE UNIQUE INDEX "segments_cloud_name_key" ON "segments" USING btree ("private_cloud_id","segment_name");--> statement-breakpoint
CREATE INDEX "segments_due_idx" ON "segments" USING btree ("next_attempt_at");--> statement-breakpoint
CREATE INDEX "telemetry_samples_measured_idx" ON "telemetry_samples" USING btree ("measured_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tenants_slug_key" ON "tenants" USING btree ("slug");--> statement-breakpoint
CREATE INDEX "tenants_private_cloud_idx" ON "tenants" USING btree ("private_cloud_id");--> statement-breakpoint
CREATE UNIQUE INDEX "tunnel_endpoints_tunnel_side_key" ON "tunnel_endpoints" USING btree ("tunnel_id","side");--> statement-breakpoint
CREATE UNIQUE INDEX "tunnel_endpoints_token_key" ON "tunnel_endpoints" USING btree ("agent_token_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "tunnels_tenant_ordinal_key" ON "tunnels" USING btree ("tenant_id","ordinal");--> statement-breakpoint
CREATE UNIQUE INDEX "users_subject_key" ON "users" USING btree ("subject");--> statement-breakpoint
CREATE UNIQUE INDEX "vlan_allocations_pool_vlan_key" ON "vlan_allocations" USING btree ("pool_id","vlan_id") WHERE "vlan_allocations"."state" <> 'released';--> statement-breakpoint
CREATE UNIQUE INDEX "vlan_allocations_pool_vni_key" ON "vlan_allocations" USING btree ("pool_id","vni") WHERE "vlan_allocations"."state" <> 'released';--> statement-breakpoint
CREATE UNIQUE INDEX "vlan_allocations_tenant_key" ON "vlan_allocations" USING btree ("tenant_id") WHERE "vlan_allocations"."state" = 'allocated';--> statement-breakpoint
CREATE UNIQUE INDEX "vlan_pools_private_cloud_key" ON "vlan_pools" USING btree ("private_cloud_id");--> statement-breakpoint
CREATE UNIQUE INDEX "warnings_active_dedupe_key" ON "warnings" USING btree ("dedupe_key") WHERE "warnings"."state" <> 'resolved';--> statement-breakpoint
CREATE INDEX "warnings_tenant_idx" ON "warnings" USING btree ("tenant_id","state");