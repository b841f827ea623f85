CREATE TABLE "tenant_evaluations" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"samples_seq" bigint NOT NULL,
	"config_hash" text NOT NULL,
	"due_at" timestamp with time zone,
	"evaluated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "samples_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tunnel_endpoints" ADD COLUMN "late_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "tenant_evaluations" ADD CONSTRAINT "tenant_evaluations_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "tenant_evaluations_due_idx" ON "tenant_evaluations" USING btree ("due_at");