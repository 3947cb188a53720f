CREATE TABLE "communities" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"region_code" varchar(12),
	"timezone" text DEFAULT 'Asia/Shanghai' NOT NULL,
	"population" integer,
	"households" integer,
	"star_thresholds" integer[] DEFAULT '{100,300,600,1000,1500}'::integer[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "communities_region_code_digits" CHECK ("communities"."region_code" ~ '^[0-9]{12}$'),
	CONSTRAINT "communities_star_thresholds_five" CHECK (cardinality("communities"."star_thresholds") = 5)
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"name" text NOT NULL,
	"kind" text NOT NULL,
	"credit_code" varchar(18),
	"approval_policy" text DEFAULT 'manual' NOT NULL,
	"archived_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "organizations_kind_known" CHECK ("organizations"."kind" in ('volunteer_team','enterprise','public_institution','government_agency','school','hospital','social_organization','shop','other')),
	CONSTRAINT "organizations_approval_policy_known" CHECK ("organizations"."approval_policy" in ('manual','auto'))
);
--> statement-breakpoint
CREATE TABLE "service_categories" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"code" varchar(64) NOT NULL,
	"name" text NOT NULL,
	"name_en" text,
	"is_default" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "api_keys" (
	"id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"role" text NOT NULL,
	"community_id" uuid,
	"organization_id" uuid,
	"region_code" varchar(12),
	"lookup" varchar(16) NOT NULL,
	"secret_hash" varchar(64) NOT NULL,
	"start" varchar(12) NOT NULL,
	"created_by_key_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_keys_lookup_unique" UNIQUE("lookup"),
	CONSTRAINT "api_keys_role_known" CHECK ("api_keys"."role" in ('admin','community_admin','coordinator','reporter')),
	CONSTRAINT "api_keys_scope_matches_role" CHECK (("api_keys"."role" = 'admin' and "api_keys"."community_id" is null and "api_keys"."organization_id" is null and "api_keys"."region_code" is null)
       or ("api_keys"."role" = 'community_admin' and "api_keys"."community_id" is not null and "api_keys"."organization_id" is null)
       or ("api_keys"."role" = 'coordinator' and "api_keys"."community_id" is not null and "api_keys"."organization_id" is not null)
       or ("api_keys"."role" = 'reporter' and "api_keys"."organization_id" is null and not ("api_keys"."community_id" is not null and "api_keys"."region_code" is not null)))
);
--> statement-breakpoint
CREATE TABLE "audit_events" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid,
	"actor_key_id" uuid,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD CONSTRAINT "organizations_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_categories" ADD CONSTRAINT "service_categories_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "communities_region_code_idx" ON "communities" USING btree ("region_code");--> statement-breakpoint
CREATE INDEX "organizations_community_idx" ON "organizations" USING btree ("community_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "organizations_credit_code_unique" ON "organizations" USING btree ("community_id","credit_code");--> statement-breakpoint
CREATE UNIQUE INDEX "service_categories_code_unique" ON "service_categories" USING btree ("community_id","code");--> statement-breakpoint
CREATE INDEX "service_categories_community_idx" ON "service_categories" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "api_keys_community_idx" ON "api_keys" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_entity_idx" ON "audit_events" USING btree ("entity_type","entity_id","id");--> statement-breakpoint
CREATE INDEX "audit_events_community_idx" ON "audit_events" USING btree ("community_id","id");