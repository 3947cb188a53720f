CREATE TABLE "hours_monthly" (
	"community_id" uuid NOT NULL,
	"organization_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"month" date NOT NULL,
	"minutes" bigint NOT NULL,
	"entries" integer NOT NULL,
	CONSTRAINT "hours_monthly_community_id_month_organization_id_category_id_pk" PRIMARY KEY("community_id","month","organization_id","category_id")
);
--> statement-breakpoint
CREATE TABLE "volunteer_month_bitmaps" (
	"community_id" uuid NOT NULL,
	"month" date NOT NULL,
	"members" "bytea" NOT NULL,
	CONSTRAINT "volunteer_month_bitmaps_community_id_month_pk" PRIMARY KEY("community_id","month")
);
--> statement-breakpoint
ALTER TABLE "communities" ADD COLUMN "volunteer_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "volunteers" ADD COLUMN "member_no" integer NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "volunteers_member_no_unique" ON "volunteers" USING btree ("community_id","member_no");--> statement-breakpoint
CREATE INDEX "service_entries_approved_report_idx" ON "service_entries" USING btree ("community_id","served_on","organization_id","category_id","volunteer_id","minutes") WHERE status = 'approved';