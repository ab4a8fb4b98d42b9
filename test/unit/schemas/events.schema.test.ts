import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import * as registration from '../../../lambdas/domain/registration';
import {
  DEAL_CLOSED_LOST,
  DEAL_REGISTERED,
  escalatedDetail,
  stageAdvancedDetail,
} from '../../../lambdas/schemas/events.schema';
import {
  EVENT_KINDS,
  EVENT_SCHEMA_DIR,
  kebabName,
  renderEventJsonSchemas,
} from '../../../scripts/export-event-json-schemas';
import { repoRoot } from '../../helpers/plan';

const STAGE_ADVANCED = {
  schemaVersion: '1.0',
  eventId: 'stage-advanced#pl_1#door-opener',
  planId: 'pl_1',
  tenant: 'acme',
  planName: 'Globex platform migration',
  occurredAt: '2026-12-02T15:00:00.000Z',
  from: 'door-opener',
  to: 'joint-discovery',
  daysInStage: 1,
  confirmedBy: [{ party: 'partner', by: 'dana.whit@northwind.example', at: '2026-12-02T15:00:00.000Z' }],
};

describe('event detail schemas', () => {
  it('accept a well-formed detail and name the field path of each problem in a bad one', () => {
    // Act
    const good = stageAdvancedDetail.safeParse(STAGE_ADVANCED);
    const bad = stageAdvancedDetail.safeParse({
      ...STAGE_ADVANCED,
      schemaVersion: '2.0',
      to: 'negotiation',
      daysInStage: -1,
      confirmedBy: [{ party: 'reseller', by: '', at: 'yesterday' }],
    });

    // Assess
    expect(good.success).toBe(true);
    expect(bad.error?.issues.map((i) => i.path.join('.')).sort()).toEqual(
      [
        'confirmedBy.0.at',
        'confirmedBy.0.by',
        'confirmedBy.0.party',
        'daysInStage',
        'schemaVersion',
        'to',
      ].sort(),
    );
  });

  it('know the five kinds of escalation and nothing else', () => {
    // Act
    const kinds = escalatedDetail.shape.what.options;

    // Assess
    expect(kinds).toEqual(['gate-overdue', 'milestone-overdue', 'stuck', 'handoff', 'ghosting']);
  });

  it('name the registrations as the domain does (kept as literals there, for bundle size)', () => {
    expect([registration.DEAL_REGISTERED, registration.DEAL_CLOSED_LOST]).toEqual([
      DEAL_REGISTERED.detailType,
      DEAL_CLOSED_LOST.detailType,
    ]);
  });
});

describe('event JSON Schemas (schema/events/)', () => {
  it('are committed exactly as a fresh export writes them, and nothing else is there', () => {
    // Act
    const fresh = renderEventJsonSchemas();

    // Assess
    expect(readdirSync(EVENT_SCHEMA_DIR).sort()).toEqual(fresh.map((f) => f.file).sort());
    for (const { file, text } of fresh) {
      expect(readFileSync(join(EVENT_SCHEMA_DIR, file), 'utf8'), `schema/events/${file}`).toBe(text);
    }
  });

  it('are one per detail-type, each versioned and open to additive fields', () => {
    // Act
    const schemas = renderEventJsonSchemas().map((f) => JSON.parse(f.text));

    // Assess
    expect(EVENT_KINDS.map((k) => kebabName(k.detailType))).toEqual([
      'cosell-plan-started',
      'cosell-stage-advanced',
      'cosell-milestone-slipped',
      'cosell-escalated',
      'cosell-deal-registered',
      'cosell-deal-closed-lost',
      'cosell-plan-amended',
      'cosell-needs-attention',
    ]);
    for (const schema of schemas) {
      expect(schema.required).toContain('schemaVersion');
      expect(schema.additionalProperties).toBeUndefined();
    }
  });

  it('are each listed in the README with every top-level field', () => {
    // Prepare
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('\n## Events'),
      readme.indexOf('\n## ', readme.indexOf('\n## Events') + 1),
    );

    // Act
    const schemas = renderEventJsonSchemas().map((f) => ({ file: f.file, schema: JSON.parse(f.text) }));

    // Assess
    for (const { file, schema } of schemas) {
      const title = String(schema.title).replace(': detail', '');
      expect(section, title).toContain(title);
      expect(section, file).toContain(file);
      for (const field of Object.keys(schema.properties))
        expect(section, `${title}: ${field}`).toContain(`\`${field}`);
    }
  });
});
