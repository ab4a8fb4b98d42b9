import { type DashboardFilters, HEALTH_LABELS, HEALTHS } from '../../domain/dashboard';
import type { ProgramReport } from '../../domain/reports';
import { html, type SafeHtml } from '../html';
import { DASHBOARD_COLUMNS, dashboardCells } from './dashboard-rows';
import { DASHBOARD_METHOD } from './definitions';
import { type Cell, method, section, table } from './report-html';

/**
 * The dashboard, leading the report page: every active deal, one row each. Filters are plain links
 * (`?partner=`, `?owner=`, `?stage=`, `?health=`): a click on a partner, an owner, a stage or a health
 * narrows the list, so a filtered view is a URL to share. No form (the page's CSP allows none) and no script.
 * A deal's name opens its one-pager and its plan id the plan as JSON, both on this API (`../plans/...`);
 * `room` opens its deal room through a view link signed for its vendor owner (when the page has the link keys).
 */

/** The page's URL with these filters (relative, so it works under any API stage path). */
export function filterUrl(filters: DashboardFilters): string {
  const params = new URLSearchParams();
  for (const key of ['partner', 'owner', 'stage', 'health'] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  const query = params.toString();
  return query ? `program.html?${query}` : 'program.html';
}

export function dashboardSection(
  report: ProgramReport,
  rooms: Readonly<Record<string, string>> = {},
): SafeHtml {
  const { filters, counts, rows } = report.dashboard;
  const link = (extra: DashboardFilters, text: Cell) =>
    html`<a href="${filterUrl({ ...filters, ...extra })}">${text}</a>`;
  const active = Object.values(counts).reduce((a, n) => a + n, 0);
  const chips = html`<p class="chips">${HEALTHS.map(
    (h) =>
      html`<a class="chip ${h}${filters.health === h ? ' on' : ''}" href="${filterUrl({ ...filters, health: h })}">${HEALTH_LABELS[h]} <b>${counts[h]}</b></a> `,
  )}</p>`;
  const shown = Object.entries(filters).filter(([, v]) => v);
  const note = shown.length
    ? html`<p class="muted">Showing ${rows.length} of ${active} active deals where ${shown.map(([k, v]) => `${k} = ${v}`).join(', ')} · <a href="program.html">show every deal</a></p>`
    : html`<p class="muted">${active} active deals, those needing someone’s move first. Click a partner, owner, stage or health to filter.</p>`;
  const body = rows.map((row) => {
    const cells: Cell[] = dashboardCells(row);
    const id = encodeURIComponent(row.planId);
    const room = rooms[row.planId];
    cells[0] = html`<a href="../plans/${id}/one-pager">${row.name}</a>${room && html` · <a class="room" href="${room}">room</a>`}`;
    cells[1] = html`<a href="../plans/${id}"><code>${row.planId}</code></a>`;
    cells[2] = link({ partner: row.partner }, row.partner);
    cells[4] = link({ owner: row.vendorOwner.email }, row.vendorOwner.name);
    cells[5] = link({ stage: row.stage }, cells[5] as string);
    cells[12] = html`${link({ health: row.health }, html`<span class="health ${row.health}">${HEALTH_LABELS[row.health]}</span>`)}${
      row.reasons.length > 0 && html`<br><span class="muted">${row.reasons.join('; ')}</span>`
    }`;
    return cells;
  });
  return section(
    'deals',
    `Active deals (${rows.length})`,
    chips,
    note,
    table(
      'Active deals, those needing someone’s move first',
      [...DASHBOARD_COLUMNS],
      body,
      [6],
      'cards wide',
    ),
    method(DASHBOARD_METHOD),
  );
}
