ALTER TABLE "service_entries" DROP CONSTRAINT "service_entries_community_id_communities_id_fk";
--> statement-breakpoint
ALTER TABLE "service_entries" DROP CONSTRAINT "service_entries_volunteer_id_volunteers_id_fk";
--> statement-breakpoint
ALTER TABLE "service_entries" DROP CONSTRAINT "service_entries_organization_id_organizations_id_fk";
--> statement-breakpoint
ALTER TABLE "service_entries" DROP CONSTRAINT "service_entries_category_id_service_categories_id_fk";
