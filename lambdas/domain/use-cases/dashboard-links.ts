import type { DashboardRow } from '../dashboard';
import type { Deps } from '../ports';
import { roomLink } from './room';

/**
 * The dashboard page's deal-room links: a view link for each row's vendor owner, signed as the page is drawn
 * (a view link is a credential, so it goes on the IAM-only page and never into the JSON or the CSV). Without
 * the link keys the page still renders, without room links.
 */
export async function roomUrls(
  deps: Pick<Deps, 'keys' | 'config' | 'clock'>,
  rows: readonly Pick<DashboardRow, 'planId' | 'vendorOwner'>[],
  onError: (error: Error) => void = () => {},
): Promise<Record<string, string>> {
  const urls: Record<string, string> = {};
  try {
    for (const row of rows) urls[row.planId] = (await roomLink(deps, row.planId, row.vendorOwner.email)).url;
  } catch (error) {
    onError(error as Error);
    return {};
  }
  return urls;
}
