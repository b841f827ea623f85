CREATE TABLE "telemetry_watermarks" (
	"name" text PRIMARY KEY NOT NULL,
	"received_through" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "telemetry_rollups" ADD COLUMN "rtt_samples" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "telemetry_rollups" ADD COLUMN "jitter_samples" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "telemetry_rollups" ADD COLUMN "loss_samples" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "telemetry_rollups_bucket_idx" ON "telemetry_rollups" USING btree ("resolution","bucket_start");--> statement-breakpoint
CREATE INDEX "telemetry_samples_received_idx" ON "telemetry_samples" USING btree ("received_at");