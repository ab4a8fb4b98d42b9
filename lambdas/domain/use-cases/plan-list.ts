import { ValidationError } from '../../schemas/validation';
import type { PlanList, PlanListPage, PlanListQuery } from '../ports';
import { STAGE_KEYS } from '../vocabulary';

/** `GET /plans` page size when `limit` is not given, and the largest allowed. */
export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

const STATUSES = ['active', 'won', 'lost'] as const;

/**
 * `GET /plans?limit=&cursor=&status=&partner=&stage=`: one page of plan summaries through the list index,
 * newest created first, `nextCursor` present while there may be more. Throws ValidationError for a bad
 * parameter and InvalidCursorError (from the store) for a cursor it did not write.
 */
export async function listPlanPage(
  deps: { store: Pick<PlanList, 'listPage'> },
  params: Record<string, string | undefined>,
): Promise<PlanListPage> {
  return deps.store.listPage(readListQuery(params));
}

export function readListQuery(params: Record<string, string | undefined>): PlanListQuery {
  const issues: { path: string; message: string }[] = [];
  const query: PlanListQuery = { limit: DEFAULT_PAGE_SIZE };
  const { limit, cursor, status, partner, stage } = params;
  if (limit !== undefined) {
    const n = Number(limit);
    if (!/^\d+$/.test(limit) || n < 1 || n > MAX_PAGE_SIZE)
      issues.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_PAGE_SIZE}` });
    else query.limit = n;
  }
  if (cursor !== undefined && cursor !== '') query.cursor = cursor;
  if (status !== undefined) {
    if ((STATUSES as readonly string[]).includes(status)) query.status = status as PlanListQuery['status'];
    else issues.push({ path: 'status', message: `must be one of ${STATUSES.join(', ')}` });
  }
  if (partner !== undefined) {
    if (partner.trim() === '' || partner.length > 200)
      issues.push({ path: 'partner', message: 'must be a partner name (1 to 200 characters)' });
    else query.partner = partner;
  }
  if (stage !== undefined) {
    if ((STAGE_KEYS as readonly string[]).includes(stage)) query.stage = stage;
    else issues.push({ path: 'stage', message: `must be one of ${STAGE_KEYS.join(', ')}` });
  }
  if (issues.length) throw new ValidationError(issues, 'invalid query');
  return query;
}
