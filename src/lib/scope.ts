import type { Actor } from '../plugins/auth/actor.js';
import { notFound } from './errors.js';

/** Whether a key may see anything of this community (reporters by community, region prefix or all). */
export function seesCommunity(actor: Actor, community: { id: string; regionCode: string | null }): boolean {
  switch (actor.role) {
    case 'admin':
      return true;
    case 'community_admin':
    case 'coordinator':
      return actor.communityId === community.id;
    case 'reporter':
      if (actor.communityId) return actor.communityId === community.id;
      if (actor.regionCode) return (community.regionCode ?? '').startsWith(actor.regionCode);
      return true;
    default:
      return false;
  }
}

/** Whether a key may act on objects of this organization (coordinators: only their own). */
export function seesOrganization(actor: Actor, organization: { id: string; communityId: string }): boolean {
  if (actor.role === 'admin') return true;
  if (actor.role === 'coordinator') return actor.organizationId === organization.id;
  return actor.communityId === organization.communityId;
}

/** The community a community-bound key is pinned to; admins and unscoped reporters get undefined. */
export function pinnedCommunity(actor: Actor): string | undefined {
  return actor.communityId ?? undefined;
}

export function assertSeesCommunity(actor: Actor, community: { id: string; regionCode: string | null } | undefined, what = 'Community'): asserts community {
  if (!community || !seesCommunity(actor, community)) throw notFound(what);
}

export function assertSeesOrganization(actor: Actor, organization: { id: string; communityId: string } | undefined, what = 'Organization'): asserts organization {
  if (!organization || !seesOrganization(actor, organization)) throw notFound(what);
}

/**
 * The community and organization filters a list runs with: the key's own scope wins over the
 * query's, and a query naming something outside it overlaps nothing (null: answer an empty page).
 */
export function listScope(actor: Actor, query: { communityId?: string | undefined; organizationId?: string | undefined }): { communityId?: string; organizationId?: string } | null {
  const pinned = pinnedCommunity(actor);
  const ownOrganization = actor.role === 'coordinator' ? actor.organizationId ?? undefined : undefined;
  if ((pinned && query.communityId && query.communityId !== pinned)
    || (ownOrganization && query.organizationId && query.organizationId !== ownOrganization)) return null;
  const communityId = pinned ?? query.communityId;
  const organizationId = ownOrganization ?? query.organizationId;
  return { ...(communityId ? { communityId } : {}), ...(organizationId ? { organizationId } : {}) };
}
