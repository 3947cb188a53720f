import Fastify from 'fastify';
import pg from 'pg';

/**
 * The floor: a bare Fastify route doing one plain INSERT into a table shaped like the ledger, with
 * none of the service's rules. `npm run bench` runs it beside the service and divides.
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
await app.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1' });
process.on('SIGTERM', () => { void app.close().then(() => pool.end()).then(() => process.exit(0)); });
