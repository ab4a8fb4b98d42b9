import { describe, expect, it } from 'vitest';
import {
  offsetToPosition,
  parseIssuePath,
  positionInMessage,
  SourceLocator,
} from '../../../cli/source-positions';
import { formatPath } from '../../../lambdas/schemas/validation';

const YAML = `apiVersion: cosell/v1
jointOutcome:
  arr: { min: 80000, max: 120000, currency: USD }
  contractMonths: 36
  bogus: 1
stages:
  door-opener:
    milestones:
      - { id: warm-intro, owner: ops@example.com, due: 2026-12-11 }
      - id: second
        owner: partner
`;

const JSON_TEXT = `{
  "apiVersion": "cosell/v1",
  "jointOutcome": {
    "arr": { "min": 80000, "max": 120000 },
    "bogus": 1
  },
  "stages": {
    "door-opener": {
      "milestones": [
        { "id": "warm-intro", "owner": "ops@example.com" }
      ]
    }
  }
}
`;

describe('parseIssuePath', () => {
  it('reads back every path formatPath writes', () => {
    const paths: PropertyKey[][] = [
      [],
      ['stages', 'door-opener', 'milestones', 0, 'owner'],
      ['escalation', 'vendor', 1, 'afterHours'],
      ['odd key', 'a.b', 3],
      ['0'],
    ];
    for (const path of paths) {
      const parsed = parseIssuePath(formatPath(path));
      expect(formatPath(parsed)).toBe(formatPath(path));
    }
    expect(parseIssuePath('stages.door-opener.milestones[0].owner')).toEqual([
      'stages',
      'door-opener',
      'milestones',
      0,
      'owner',
    ]);
    expect(parseIssuePath('(root)')).toEqual([]);
  });
});

describe('SourceLocator on YAML', () => {
  const locator = new SourceLocator(YAML);

  it('points at a scalar value, also inside a flow mapping', () => {
    expect(locator.locate(parseIssuePath('stages.door-opener.milestones[0].owner'))).toEqual({
      line: 9,
      column: 34,
    });
    expect(locator.locate(parseIssuePath('jointOutcome.arr.max'))).toEqual({ line: 3, column: 27 });
    expect(locator.locate(parseIssuePath('stages.door-opener.milestones[1].owner'))).toEqual({
      line: 11,
      column: 16,
    });
  });

  it('points at the key of a section, and at the deepest part of a path that exists', () => {
    expect(locator.locate(parseIssuePath('jointOutcome'))).toEqual({ line: 2, column: 1 });
    expect(locator.locate(parseIssuePath('jointOutcome.closeDate'))).toEqual({ line: 2, column: 1 });
    expect(locator.locate(parseIssuePath('stages.joint-discovery'))).toEqual({ line: 6, column: 1 });
  });

  it('points at the key a message quotes (an unknown key)', () => {
    expect(locator.locate(parseIssuePath('jointOutcome'), 'Unrecognized key: "bogus"')).toEqual({
      line: 5,
      column: 3,
    });
  });

  it('points at the start for the whole document', () => {
    expect(locator.locate([])).toEqual({ line: 1, column: 1 });
  });
});

/** The source text from a 1-based position to the end of its line. */
function textAt(text: string, position: { line: number; column: number }): string {
  return (text.split('\n')[position.line - 1] ?? '').slice(position.column - 1);
}

describe('SourceLocator on JSON', () => {
  const locator = new SourceLocator(JSON_TEXT);

  it('maps the same paths to the JSON source', () => {
    const at = (path: string, message?: string) =>
      textAt(JSON_TEXT, locator.locate(parseIssuePath(path), message));
    expect(at('stages.door-opener.milestones[0].owner')).toMatch(/^"ops@example.com"/);
    expect(at('jointOutcome', 'Unrecognized key: "bogus"')).toMatch(/^"bogus": 1/);
    expect(at('jointOutcome.arr.max')).toMatch(/^120000 }/);
    expect(at('jointOutcome.closeDate')).toMatch(/^"jointOutcome": \{/);
  });
});

describe('syntax error positions', () => {
  it('reads js-yaml line and column, and JSON.parse character positions', () => {
    expect(positionInMessage('', 'invalid YAML: deficient indentation (line 2, column 1)')).toEqual({
      line: 2,
      column: 1,
    });
    expect(positionInMessage('{\n  "a": 1,,\n}', 'Unexpected token , in JSON at position 11')).toEqual({
      line: 2,
      column: 10,
    });
    expect(positionInMessage('x', 'no position here')).toBeUndefined();
    expect(offsetToPosition('ab\ncd', 4)).toEqual({ line: 2, column: 2 });
  });
});
