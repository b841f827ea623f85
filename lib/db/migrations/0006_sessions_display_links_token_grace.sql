CREATE TYPE "public"."session_kind" AS ENUM('user', 'display');--> statement-breakpoint
CREATE TABLE "sessions" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"kind" "session_kind" NOT NULL,
	"user_id" uuid,
	"display_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"ended_at" timestamp with time zone,
	"ended_reason" text,
	"ended_by" text,
	CONSTRAINT "sessions_owner_check" CHECK (("sessions"."kind" = 'user' and "sessions"."user_id" is not null and "sessions"."display_id" is null) or ("sessions"."kind" = 'display' and "sessions"."display_id" is not null and "sessions"."user_id" is null))
);
--> statement-breakpoint
ALTER TABLE "noc_displays" ADD COLUMN "link_issued_by" text;--> statement-breakpoint
ALTER TABLE "noc_displays" ADD COLUMN "link_issued_at" timestamp with time zone DEFAULT now() NOT NULL;--> statement-breakpoint
ALTER TABLE "noc_displays" ADD COLUMN "link_used_at" timestamp with time zone DEFAULT now();--> statement-breakpoint
ALTER TABLE "reserved_prefixes" ADD COLUMN "created_by" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_hash" text;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_issued_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "previous_token_valid_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "last_token_hash" text;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sessions" ADD CONSTRAINT "sessions_display_id_noc_displays_id_fk" FOREIGN KEY ("display_id") REFERENCES "public"."noc_displays"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "sessions_user_idx" ON "sessions" USING btree ("user_id","last_seen_at");--> statement-breakpoint
CREATE INDEX "sessions_display_idx" ON "sessions" USING btree ("display_id","last_seen_at");--> statement-breakpoint
CREATE UNIQUE INDEX "tunnel_endpoints_previous_token_key" ON "tunnel_endpoints" USING btree ("previous_token_hash");