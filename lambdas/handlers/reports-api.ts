import { systemClock } from '../adapters/clock.adapter';
import { documentClient } from '../adapters/dynamodb/document-client';
import { DynamoPartnerPlanStore } from '../adapters/dynamodb/partner-plan-store.adapter';
import { DynamoReportDealStore } from '../adapters/dynamodb/report-deal-store.adapter';
import { readEnvironment, required } from '../adapters/environment';
import { logger } from '../adapters/logger';
import { SecretSigningKeys } from '../adapters/secrets.adapter';
import { readDashboardFilters } from '../domain/dashboard';
import { NotFoundError } from '../domain/errors';
import type { ReportOptions } from '../domain/reports';
import { roomUrls } from '../domain/use-cases/dashboard-links';
import { loadProgramReport, onePager } from '../domain/use-cases/reports';
import { onePagerHeaders, renderOnePager } from '../views/pages/one-pager';
import { pageBrand } from '../views/pages/page-brand';
import { REPORT_PAGE_HEADERS, renderProgramReportPage } from '../views/pages/report-page';
import { CSV_TABLES, type CsvTable, reportToCsv } from '../views/reports/report-csv';
import { type HttpEvent, type HttpResult, json, problem } from './http';

// Read-only: the plans, milestones and partner-plans tables. Built here rather than from ./wiring, so the
// bundle holds the DynamoDB client alone (no Step Functions, SES or EventBridge client).
const env = readEnvironment();
const db = documentClient();
const deps = {
  clock: systemClock,
  config: {
    defaultTimezone: env.DEFAULT_TIMEZONE,
    ghostingDays: env.GHOSTING_DAYS,
    stageWeights: env.STAGE_WEIGHTS,
    ...(env.PROGRAM_COST ? { programCost: env.PROGRAM_COST } : {}),
  },
  store: new DynamoReportDealStore(db, {
    plans: env.PLANS_TABLE,
    milestones: env.MILESTONES_TABLE,
    links: env.LINKS_TABLE,
    idempotency: env.IDEMPOTENCY_TABLE,
  }),
  partnerPlans: new DynamoPartnerPlanStore(db, required(env, 'PARTNER_PLANS_TABLE')),
};
// The dashboard page's deal-room links: view links for each deal's vendor owner (use-cases/dashboard-links.ts).
const roomLinks = {
  clock: systemClock,
  config: {
    tenant: env.TENANT,
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? '').replace(/\/+$/, ''),
    defaultTimezone: env.DEFAULT_TIMEZONE,
    linkTtlDays: env.LINK_TTL_DAYS,
    roomLinkTtlDays: env.ROOM_LINK_TTL_DAYS,
  },
  keys: new SecretSigningKeys(env.LINK_KEYS_SECRET_ARN ?? '', systemClock, env.LINK_TTL_DAYS),
};

// The tenant's brand on the one-pager (brandColor, logoUrl): the CSP follows the branded stylesheet and logo.
const brand = pageBrand({ vendorName: env.VENDOR_NAME, brandColor: env.BRAND_COLOR, logoUrl: env.LOGO_URL });
const ONE_PAGER_HEADERS = onePagerHeaders(brand);

type Issue = { path: string; message: string };
type Query = Pick<ReportOptions, 'partner' | 'stallDays' | 'currency' | 'dashboard'> & { table?: CsvTable };

/**
 * The program view (IAM-authorized, on demand): `GET /reports/program` (JSON), `/reports/program.html`
 * (printable page, inline SVG charts), `/reports/program.csv` (`?table=stalled` for the stalled deals), and
 * `GET /plans/{planId}/one-pager`. Query: `partner`, `stallDays` (whole days, default 14), `currency`, and the
 * dashboard's filters `owner`, `stage`, `health` (rows only). CSV `?table=`: summary, stalled, deals,
 * forecast, return, method.
 */
export const handler = async (event: HttpEvent): Promise<HttpResult> => {
  try {
    switch (event.routeKey) {
      case 'GET /reports/program':
      case 'GET /reports/program.html':
      case 'GET /reports/program.csv':
        return await report(event);
      case 'GET /plans/{planId}/one-pager': {
        const page = await onePager(deps, event.pathParameters?.planId ?? '');
        return {
          statusCode: 200,
          headers: ONE_PAGER_HEADERS,
          body: renderOnePager(page.snapshot, page.printedAt, brand),
        };
      }
      default:
        return problem(404, `no route ${event.routeKey}`);
    }
  } catch (error) {
    if (error instanceof NotFoundError) return problem(404, error.message);
    logger.error('reports API failed', { routeKey: event.routeKey, error: error as Error });
    return problem(500, 'internal error');
  }
};

async function report(event: HttpEvent): Promise<HttpResult> {
  const query = readQuery(event.queryStringParameters ?? {});
  if (Array.isArray(query)) return problem(400, 'the report query is not valid', query);
  const { table, ...options } = query;
  const started = Date.now();
  const program = await loadProgramReport(deps, options);
  logger.info('program report', {
    routeKey: event.routeKey,
    deals: program.total.deals.total,
    ms: Date.now() - started,
  });
  if (event.routeKey === 'GET /reports/program.html') {
    const rooms = env.LINK_KEYS_SECRET_ARN
      ? await roomUrls(roomLinks, program.dashboard.rows, (error) =>
          logger.warn('no deal-room links on the dashboard', { error }),
        )
      : {};
    return {
      statusCode: 200,
      headers: REPORT_PAGE_HEADERS,
      body: renderProgramReportPage(program, { rooms }),
    };
  }
  if (event.routeKey === 'GET /reports/program.csv') {
    const name = table && table !== 'summary' ? `program-${table}` : 'program';
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${name}-${program.generatedAt.slice(0, 10)}.csv"`,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      },
      body: reportToCsv(program, table ?? 'summary'),
    };
  }
  return json(200, program);
}

/** The query string as report options, or every problem with it. */
export function readQuery(params: Record<string, string | undefined>): Query | Issue[] {
  const issues: Issue[] = [];
  const query: Query = {};
  const partner = params.partner?.trim();
  if (partner) query.partner = partner;
  if (params.stallDays !== undefined) {
    if (/^\d{1,4}$/.test(params.stallDays)) query.stallDays = Number(params.stallDays);
    else issues.push({ path: 'stallDays', message: 'must be a whole number of days (0-9999)' });
  }
  if (params.currency !== undefined) {
    if (/^[A-Za-z]{3}$/.test(params.currency)) query.currency = params.currency.toUpperCase();
    else issues.push({ path: 'currency', message: 'must be a three-letter ISO 4217 code, such as USD' });
  }
  if (params.table !== undefined) {
    if ((CSV_TABLES as readonly string[]).includes(params.table)) query.table = params.table as CsvTable;
    else issues.push({ path: 'table', message: `must be one of ${CSV_TABLES.join(', ')}` });
  }
  const { filters, issues: filterIssues } = readDashboardFilters({ ...params, partner: undefined });
  issues.push(...filterIssues);
  if (Object.keys(filters).length > 0) query.dashboard = filters;
  return issues.length > 0 ? issues : query;
}
