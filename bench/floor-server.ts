import Fastify from 'fastify';
import pg from 'pg';

/**
 * The floors: bare Fastify routes with none of the service's rules (no auth, scope, validation or
 * audit). POST does one plain INSERT into a table shaped like the ledger; GET reads the same page
 * of the ledger that `GET /v1/service-entries` answers (every column of 50 entries of one
 * organization, by the same index and plan) and lets Fastify stringify the rows. `npm run bench`
 * runs them beside the service and divides.
 */
const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: Number(process.env.DB_POOL_MAX ?? 10) });
await pool.query(`create table if not exists bench_floor_entries (
  id uuid primary key default gen_random_uuid(), community_id uuid not null, volunteer_id uuid not null,
  organization_id uuid not null, category_id uuid not null, served_on date not null, minutes smallint not null,
  status text not null default 'pending', source text not null default 'coordinator', created_at timestamptz not null default now())`);

const app = Fastify({ logger: false });
app.post('/entries', async (request, reply) => {
  const b = request.body as Record<string, string | number>;
  const { rows } = await pool.query(
    'insert into bench_floor_entries (community_id, volunteer_id, organization_id, category_id, served_on, minutes) values ($1, $2, $3, $4, $5, $6) returning id',
    [b.communityId, b.volunteerId, b.organizationId, b.categoryId, b.servedOn, b.minutes],
  );
  return reply.code(201).send(rows[0]);
});
app.get('/entries', async (request) => {
  const q = request.query as { organizationId: string; limit?: string };
  // The closed range of src/db/keyset.ts, so that the floor walks the (organization_id, id) index as
  // the service does: written `organization_id = $1`, PostgreSQL sometimes walked the primary key
  // and filtered, for a new organization whose entries come after everyone else's (the floor's list
  // fell to 54 req/s in one run of three).
  const { rows } = await pool.query(
    'select * from service_entries where organization_id >= $1 and organization_id <= $1 order by organization_id, id limit $2',
    [q.organizationId, Number(q.limit ?? 50)],
  );
  return { data: rows };
});
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)); });
