-- Entries with times never overlap for one volunteer while they count (pending or approved).
-- drizzle-kit cannot express exclusion constraints, so this one is written by hand.
CREATE EXTENSION IF NOT EXISTS btree_gist;--> statement-breakpoint
ALTER TABLE "service_entries" ADD CONSTRAINT "service_entries_no_overlap"
  EXCLUDE USING gist ("volunteer_id" WITH =, tstzrange("started_at", "ended_at") WITH &&)
  WHERE ("status" IN ('pending', 'approved') AND "started_at" IS NOT NULL);
