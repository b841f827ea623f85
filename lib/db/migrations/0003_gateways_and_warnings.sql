ALTER TABLE "tenants" ADD COLUMN "warning_thresholds" jsonb DEFAULT '{}'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "underlay_interface" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "lan_interface" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "lan_tagged" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "agent_token_ciphertext" text;--> statement-breakpoint
ALTER TABLE "warnings" ADD COLUMN "clear_since" timestamp with time zone;