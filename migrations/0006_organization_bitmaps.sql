ALTER TABLE "volunteer_month_bitmaps" ADD COLUMN "organization_id" uuid DEFAULT '00000000-0000-0000-0000-000000000000' NOT NULL;--> statement-breakpoint
ALTER TABLE "volunteer_month_bitmaps" DROP CONSTRAINT "volunteer_month_bitmaps_community_id_month_pk";--> statement-breakpoint
ALTER TABLE "volunteer_month_bitmaps" ADD CONSTRAINT "volunteer_month_bitmaps_pk" PRIMARY KEY("community_id","month","organization_id");
