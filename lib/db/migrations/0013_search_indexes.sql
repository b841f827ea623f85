CREATE INDEX "tenants_subnet_cidr_idx" ON "tenants" USING gist (("subnet"::cidr) inet_ops);--> statement-breakpoint
CREATE INDEX "tunnel_endpoints_underlay_ip_idx" ON "tunnel_endpoints" USING btree ("underlay_ip");--> statement-breakpoint
CREATE INDEX "tunnel_endpoints_mac_report_idx" ON "tunnel_endpoints" USING gin ("mac_report" jsonb_path_ops);