ALTER TABLE "tunnels" ADD COLUMN "source_platform" text;--> statement-breakpoint
ALTER TABLE "tunnels" ADD COLUMN "ipsec_suite" text DEFAULT 'aes256gcm-ecp384' NOT NULL;