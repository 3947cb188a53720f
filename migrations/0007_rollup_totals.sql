ALTER TABLE "communities" ADD COLUMN "registered_volunteers" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "volunteer_month_bitmaps" ADD COLUMN "minutes" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "volunteer_month_bitmaps" ADD COLUMN "entries" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
-- Backfill from the ledger and the register, so existing data reports the same as before.
UPDATE "volunteer_month_bitmaps" b SET "minutes" = x.minutes, "entries" = x.entries
FROM (
  SELECT community_id, date_trunc('month', served_on)::date AS month, organization_id, sum(minutes)::bigint AS minutes, count(*)::int AS entries
  FROM service_entries WHERE status = 'approved' GROUP BY 1, 2, 3
  UNION ALL
  SELECT community_id, date_trunc('month', served_on)::date, '00000000-0000-0000-0000-000000000000'::uuid, sum(minutes)::bigint, count(*)::int
  FROM service_entries WHERE status = 'approved' GROUP BY 1, 2
) x
WHERE b.community_id = x.community_id AND b.month = x.month AND b.organization_id = x.organization_id;--> statement-breakpoint
UPDATE "communities" c SET "registered_volunteers" = (SELECT count(*) FROM volunteers v WHERE v.community_id = c.id AND v.status <> 'withdrawn');
