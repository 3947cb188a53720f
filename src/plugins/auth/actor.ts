export type Role = 'admin' | 'community_admin' | 'coordinator' | 'reporter';

/** Who is calling: the API key's role and the scope it was issued for. */
export interface Actor {
  keyId: string;
  role: Role;
  communityId: string | null;
  organizationId: string | null;
  regionCode: string | null;
}
