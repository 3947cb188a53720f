CREATE SEQUENCE "public"."volunteer_code_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1;--> statement-breakpoint
CREATE TABLE "memberships" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"joined_at" timestamp with time zone DEFAULT now() NOT NULL,
	"left_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "volunteers" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"volunteer_code" varchar(20) DEFAULT 'V' || to_char(nextval('volunteer_code_seq'), 'FM00000000') NOT NULL,
	"name" text NOT NULL,
	"phone" varchar(11),
	"gender" text,
	"birth_date" date,
	"political_status" text DEFAULT 'masses' NOT NULL,
	"in_service_party_member" boolean DEFAULT false NOT NULL,
	"workplace_organization_id" uuid,
	"skills" text[] DEFAULT '{}'::text[] NOT NULL,
	"id_number_hash" varchar(64),
	"id_number_last4" varchar(4),
	"status" text DEFAULT 'active' NOT NULL,
	"erased_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "volunteers_status_known" CHECK ("volunteers"."status" in ('active','inactive','withdrawn')),
	CONSTRAINT "volunteers_political_status_known" CHECK ("volunteers"."political_status" in ('masses','league_member','probationary_party_member','party_member')),
	CONSTRAINT "volunteers_phone_digits" CHECK ("volunteers"."phone" ~ '^1[3-9][0-9]{9}$')
);
--> statement-breakpoint
CREATE TABLE "agreements" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"title" text NOT NULL,
	"signed_on" date NOT NULL,
	"valid_until" date,
	"terminated_at" timestamp with time zone,
	"termination_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "agreements_dates_ordered" CHECK ("agreements"."valid_until" is null or "agreements"."signed_on" <= "agreements"."valid_until")
);
--> statement-breakpoint
CREATE TABLE "love_cards" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"claimed_on" date NOT NULL,
	"pledge" text,
	"status" text DEFAULT 'active' NOT NULL,
	"released_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "love_cards_status_known" CHECK ("love_cards"."status" in ('active','released'))
);
--> statement-breakpoint
CREATE TABLE "idempotency_keys" (
	"api_key_id" uuid NOT NULL,
	"key" varchar(255) NOT NULL,
	"community_id" uuid,
	"fingerprint" varchar(64) NOT NULL,
	"state" text DEFAULT 'in_progress' NOT NULL,
	"response_status" integer,
	"response_body" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "idempotency_keys_api_key_id_key_pk" PRIMARY KEY("api_key_id","key")
);
--> statement-breakpoint
CREATE TABLE "service_entries" (
	"id" uuid PRIMARY KEY NOT NULL,
	"community_id" uuid NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"served_on" date NOT NULL,
	"minutes" smallint NOT NULL,
	"activity_id" uuid,
	"started_at" timestamp with time zone,
	"ended_at" timestamp with time zone,
	"location" text,
	"description" text,
	"status" text DEFAULT 'pending' NOT NULL,
	"source" text NOT NULL,
	"recorded_by_key_id" uuid NOT NULL,
	"approved_by_key_id" uuid,
	"approved_at" timestamp with time zone,
	"rejected_by_key_id" uuid,
	"rejected_at" timestamp with time zone,
	"rejection_reason" text,
	"voided_by_key_id" uuid,
	"voided_at" timestamp with time zone,
	"void_reason" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_entries_minutes_range" CHECK ("service_entries"."minutes" between 1 and 1440),
	CONSTRAINT "service_entries_status_known" CHECK ("service_entries"."status" in ('pending','approved','rejected','voided')),
	CONSTRAINT "service_entries_source_known" CHECK ("service_entries"."source" in ('coordinator','self_report','check_in','import')),
	CONSTRAINT "service_entries_times_paired" CHECK (("service_entries"."started_at" is null) = ("service_entries"."ended_at" is null)),
	CONSTRAINT "service_entries_times_ordered" CHECK ("service_entries"."started_at" is null or "service_entries"."started_at" < "service_entries"."ended_at")
);
--> statement-breakpoint
CREATE TABLE "volunteer_day_minutes" (
	"community_id" uuid NOT NULL,
	"volunteer_id" uuid NOT NULL,
	"served_on" date NOT NULL,
	"minutes" integer NOT NULL,
	CONSTRAINT "volunteer_day_minutes_volunteer_id_served_on_pk" PRIMARY KEY("volunteer_id","served_on"),
	CONSTRAINT "volunteer_day_minutes_cap" CHECK ("volunteer_day_minutes"."minutes" between 0 and 1440)
);
--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memberships" ADD CONSTRAINT "memberships_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteers" ADD CONSTRAINT "volunteers_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "volunteers" ADD CONSTRAINT "volunteers_workplace_organization_id_organizations_id_fk" FOREIGN KEY ("workplace_organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "agreements" ADD CONSTRAINT "agreements_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "love_cards" ADD CONSTRAINT "love_cards_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "love_cards" ADD CONSTRAINT "love_cards_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "love_cards" ADD CONSTRAINT "love_cards_category_id_service_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."service_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_entries" ADD CONSTRAINT "service_entries_community_id_communities_id_fk" FOREIGN KEY ("community_id") REFERENCES "public"."communities"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_entries" ADD CONSTRAINT "service_entries_volunteer_id_volunteers_id_fk" FOREIGN KEY ("volunteer_id") REFERENCES "public"."volunteers"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_entries" ADD CONSTRAINT "service_entries_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "service_entries" ADD CONSTRAINT "service_entries_category_id_service_categories_id_fk" FOREIGN KEY ("category_id") REFERENCES "public"."service_categories"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "memberships_active_unique" ON "memberships" USING btree ("organization_id","volunteer_id") WHERE "memberships"."left_at" is null;--> statement-breakpoint
CREATE INDEX "memberships_organization_idx" ON "memberships" USING btree ("community_id","organization_id","id");--> statement-breakpoint
CREATE INDEX "memberships_volunteer_idx" ON "memberships" USING btree ("volunteer_id");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_code_unique" ON "volunteers" USING btree ("volunteer_code");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_phone_unique" ON "volunteers" USING btree ("community_id","phone");--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_id_number_unique" ON "volunteers" USING btree ("community_id","id_number_hash");--> statement-breakpoint
CREATE INDEX "volunteers_community_idx" ON "volunteers" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "volunteers_updated_idx" ON "volunteers" USING btree ("community_id","updated_at");--> statement-breakpoint
CREATE INDEX "volunteers_workplace_idx" ON "volunteers" USING btree ("workplace_organization_id");--> statement-breakpoint
CREATE INDEX "agreements_community_idx" ON "agreements" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "agreements_organization_idx" ON "agreements" USING btree ("organization_id");--> statement-breakpoint
CREATE UNIQUE INDEX "love_cards_active_unique" ON "love_cards" USING btree ("organization_id","category_id") WHERE "love_cards"."status" = 'active';--> statement-breakpoint
CREATE INDEX "love_cards_community_idx" ON "love_cards" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "service_entries_community_idx" ON "service_entries" USING btree ("community_id","id");--> statement-breakpoint
CREATE INDEX "service_entries_volunteer_day_idx" ON "service_entries" USING btree ("volunteer_id","served_on");--> statement-breakpoint
CREATE INDEX "service_entries_organization_idx" ON "service_entries" USING btree ("organization_id","id");--> statement-breakpoint
CREATE INDEX "service_entries_updated_idx" ON "service_entries" USING btree ("community_id","updated_at");