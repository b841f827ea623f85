CREATE TYPE "public"."stretch_stage" AS ENUM('extending', 'cutover-planned', 'cutting-over', 'cut-over', 'rolling-back', 'unextended');--> statement-breakpoint
ALTER TYPE "public"."segment_state" ADD VALUE 'updating' BEFORE 'failed';--> statement-breakpoint
CREATE TABLE "stretch_files" (
	"tenant_id" uuid NOT NULL,
	"path" text NOT NULL,
	"contents" text NOT NULL,
	"mode" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "stretch_files_tenant_id_path_pk" PRIMARY KEY("tenant_id","path")
);
--> statement-breakpoint
ALTER TABLE "segments" ADD COLUMN "gateway_address" text;--> statement-breakpoint
ALTER TABLE "segments" ADD COLUMN "port_vifs" jsonb;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "stretch_stage" "stretch_stage" DEFAULT 'extending' NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "stretch_stage_changed_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "cutover_gateway_address" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "cutover_tier1_id" text;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "source_gateway_interface" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "mac_report" jsonb;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "mac_reported_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "stretch_files" ADD CONSTRAINT "stretch_files_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Tenants onboarded with their gateway already in AVS are cut over: their segment was created on
-- the first Tier-1 with the subnet's first host as its gateway (what provisioning sent), which
-- is now recorded as the segment's gateway and the tenant's plan.
UPDATE "segments" SET "gateway_address" = set_masklen(network(t."subnet"::cidr)::inet + 1, masklen(t."subnet"::cidr))::text
FROM "tenants" t WHERE t."id" = "segments"."tenant_id" AND t."gateway_location" = 'avs' AND "segments"."tier1_gateway_id" IS NOT NULL;--> statement-breakpoint
UPDATE "tenants" SET "stretch_stage" = 'cut-over',
  "cutover_gateway_address" = set_masklen(network("subnet"::cidr)::inet + 1, masklen("subnet"::cidr))::text,
  "cutover_tier1_id" = (SELECT s."tier1_gateway_id" FROM "segments" s WHERE s."tenant_id" = "tenants"."id")
WHERE "gateway_location" = 'avs';
