CREATE TYPE "public"."pair_end_role" AS ENUM('active', 'standby', 'fault');--> statement-breakpoint
ALTER TABLE "telemetry_samples" ADD COLUMN "pair_role" "pair_end_role";--> statement-breakpoint
ALTER TABLE "telemetry_samples" ADD COLUMN "pair_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "telemetry_samples" ADD COLUMN "pair_reason" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "pair_role" "pair_end_role";--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "pair_since" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "pair_reason" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "pair_reported_at" timestamp with time zone;