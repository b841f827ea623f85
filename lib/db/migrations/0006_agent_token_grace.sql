ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_hash" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_valid_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "last_token_hash" text;--> statement-breakpoint
CREATE UNIQUE INDEX "tunnel_endpoints_previous_token_key" ON "tunnel_endpoints" USING btree ("previous_token_hash");