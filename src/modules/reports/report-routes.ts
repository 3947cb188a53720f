import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { contextOf } from '../../lib/context.js';
import { AppError, notFound } from '../../lib/errors.js';
import { IdParams } from '../../lib/schema-types.js';
import { findCommunity } from '../communities/community-repository.js';
import { createVolunteerService } from '../volunteers/volunteer-service.js';
import { findVolunteer } from '../volunteers/volunteer-repository.js';
import { DIMENSIONS, TIME_DIMENSIONS, type Dimension } from './dimensions.js';
import { hoursReport, streamHoursRows } from './hours-report.js';
import { loveCardsReport } from './love-cards-report.js';
import { partyMembersReport } from './party-members-report.js';
import { groupedColumns, plainColumns, sendCsv, wantsCsv } from './report-format.js';
import { resolveScope } from './report-scope.js';
import {
  CsvBody, FormatQuery, HoursQuery, HoursReport, LoveCardsReport, PartyMembersReport, ServiceRecordSchema, SummaryQuery, SummaryReport,
} from './report-schemas.js';
import { serviceRecord } from './service-record.js';
import { summaryReport } from './summary-report.js';

const tags = ['reports'];
const withCsv = (schema: unknown) => ({
  description: 'The report, as JSON or (format=csv / Accept: text/csv) as CSV',
  content: { 'application/json': { schema }, 'text/csv': { schema: CsvBody } },
});

export function parseGroupBy(value: string): Dimension[] {
  const dims = value.split(',') as Dimension[];
  const bad = dims.find((d) => !DIMENSIONS.includes(d));
  const fail = (message: string) => new AppError('invalid_parameter', `groupBy: ${message}`, { errors: [{ field: 'groupBy', message }] });
  if (bad) throw fail(`${bad} is not one of ${DIMENSIONS.join(', ')}`);
  if (new Set(dims).size !== dims.length) throw fail('names a dimension twice');
  if (dims.filter((d) => TIME_DIMENSIONS.has(d)).length > 1) throw fail('takes at most one of day, week, month, quarter, year');
  return dims;
}

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const volunteers = createVolunteerService(app.db, app.config.PII_HASH_KEY);

  app.get('/v1/reports/summary', {
    config: { permission: 'reports:read' },
    schema: { operationId: 'getSummaryReport', tags, summary: 'Headline totals of a community, a region or the city', querystring: SummaryQuery, response: { 200: withCsv(SummaryReport) } },
  }, async (request, reply) => {
    const summary = await summaryReport(app.db, await resolveScope(app.db, contextOf(request), request.query));
    if (!wantsCsv(request)) return summary;
    const flat = {
      registeredVolunteers: summary.volunteers.registered, activeVolunteers: summary.volunteers.active, entries: summary.entries,
      minutes: summary.minutes, hours: summary.hours, organizations: summary.organizations, activeLoveCards: summary.loveCards.active,
      activeAgreements: summary.agreements.active, averageHoursPerActiveVolunteer: summary.averageHoursPerActiveVolunteer, registrationRate: summary.registrationRate,
    };
    return sendCsv(reply, 'summary', plainColumns(Object.keys(flat)), [flat as Record<string, unknown>]);
  });

  app.get('/v1/reports/hours', {
    config: { permission: 'reports:read' },
    schema: {
      operationId: 'getHoursReport', tags, summary: 'Approved hours grouped by one or two dimensions',
      description: '`minutes` and `entries` in totals are the sums of the rows; `volunteers` counts distinct people at every level.',
      querystring: HoursQuery, response: { 200: withCsv(HoursReport) },
    },
  }, async (request, reply) => {
    const groupBy = parseGroupBy(request.query.groupBy);
    const scope = await resolveScope(app.db, contextOf(request), request.query);
    if (wantsCsv(request)) return sendCsv(reply, 'hours', groupedColumns(groupBy), streamHoursRows(app.database, scope, groupBy, { readerTimeoutMs: app.config.EXPORT_READER_TIMEOUT_MS }));
    return hoursReport(app.db, scope, groupBy);
  });

  app.get('/v1/reports/love-cards', {
    config: { permission: 'reports:read' },
    schema: { operationId: 'getLoveCardsReport', tags, summary: 'Love-card categories, the units holding them and the service they gave', querystring: SummaryQuery, response: { 200: withCsv(LoveCardsReport) } },
  }, async (request, reply) => {
    const report = await loveCardsReport(app.db, await resolveScope(app.db, contextOf(request), request.query));
    if (!wantsCsv(request)) return report;
    const claims = (row: Record<string, unknown>) => (row.claims as Array<{ organizationName: string; claimedOn: string }>)
      .map((c) => `${c.organizationName} (${c.claimedOn})`).join('; ');
    const columns = [...plainColumns(['communityId', 'categoryId', 'code', 'name']), { header: 'claims', value: claims }, ...groupedColumns([])];
    return sendCsv(reply, 'love-cards', columns, report.rows as unknown as Array<Record<string, unknown>>);
  });

  app.get('/v1/reports/party-members', {
    config: { permission: 'reports:read' },
    schema: { operationId: 'getPartyMembersReport', tags, summary: 'Approved hours of in-service party members by workplace', querystring: SummaryQuery, response: { 200: withCsv(PartyMembersReport) } },
  }, async (request, reply) => {
    const report = await partyMembersReport(app.db, await resolveScope(app.db, contextOf(request), request.query));
    return wantsCsv(request) ? sendCsv(reply, 'party-members', groupedColumns([], ['workplaceOrganizationId', 'workplaceOrganizationName']), report.rows as unknown as Array<Record<string, unknown>>) : report;
  });

  app.get('/v1/volunteers/:id/service-record', {
    config: { permission: 'volunteers:read' },
    schema: {
      operationId: 'getServiceRecord', tags: ['volunteers', 'reports'], summary: 'A volunteer\'s certified service record and star level',
      description: 'All-time approved minutes; star level by the community\'s starThresholds (hours).',
      params: IdParams, querystring: FormatQuery, response: { 200: withCsv(ServiceRecordSchema) },
    },
  }, async (request, reply) => {
    const ctx = contextOf(request);
    const volunteer = await findVolunteer(app.db, request.params.id);
    if (!volunteer || !(await volunteers.sees(ctx, volunteer))) throw notFound('Volunteer');
    const community = await findCommunity(app.db, volunteer.communityId);
    const { id, volunteerCode, name, communityId } = volunteer;
    const record = await serviceRecord(app.db, { id, volunteerCode, name, communityId }, community!.starThresholds);
    if (!wantsCsv(request)) return record;
    const lines = [
      ...record.byCategory.map((c) => ({ dimension: 'category', id: c.categoryId, code: c.code, name: c.name, minutes: c.minutes, hours: c.hours, entries: c.entries })),
      ...record.byOrganization.map((o) => ({ dimension: 'organization', id: o.organizationId, code: '', name: o.name, minutes: o.minutes, hours: o.hours, entries: o.entries })),
    ];
    return sendCsv(reply, `service-record-${volunteer.volunteerCode}`, plainColumns(['dimension', 'id', 'code', 'name', 'minutes', 'hours', 'entries']), lines);
  });
};
