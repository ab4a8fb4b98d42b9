import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { detectFormat, MAX_PLAN_BYTES, parsePlanDocument } from '../../../lambdas/domain/plan-document';
import { ValidationError } from '../../../lambdas/schemas/validation';

const EXAMPLE_FILE = fileURLToPath(new URL('../../../../shared/plan-example.yaml', import.meta.url));
const EXAMPLE_YAML = readFileSync(EXAMPLE_FILE, 'utf8');
const EXAMPLE_JSON = JSON.stringify(load(EXAMPLE_YAML, { schema: CORE_SCHEMA }), null, 2);

/** The ValidationError `act` throws; fails the test if it throws anything else, or nothing. */
function validationErrorOf(act: () => unknown): ValidationError {
  try {
    act();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected a ValidationError, but nothing was thrown');
}

describe('parsePlanDocument', () => {
  it('accepts the reference example as YAML, dates staying strings', () => {
    // Prepare
    const text = EXAMPLE_YAML;

    // Act
    const plan = parsePlanDocument(text, 'yaml');

    // Assess
    expect(plan.name).toBe('Globex platform migration');
    expect(plan.jointOutcome.closeDate).toBe('2027-02-26');
    expect(plan.stages['target-account-selection'].milestones[0]?.due).toBe('2026-12-04');
    expect(plan.cadence.time).toBe('09:30');
  });

  it('accepts the same document as JSON, with the same result', () => {
    // Prepare
    const text = EXAMPLE_JSON;

    // Act
    const fromJson = parsePlanDocument(text, 'json');

    // Assess
    expect(fromJson).toEqual(parsePlanDocument(EXAMPLE_YAML, 'yaml'));
  });

  it('accepts a file that starts with a byte order mark', () => {
    // Prepare
    const text = `\uFEFF${EXAMPLE_JSON}`;

    // Act
    const plan = parsePlanDocument(text, 'json');

    // Assess
    expect(plan.kind).toBe('CoSellPlan');
  });

  it('throws a ValidationError naming the path and reason when the plan breaks a rule', () => {
    // Prepare
    const text = EXAMPLE_YAML.replace(
      'owner: vendor,  due: 2026-12-18',
      'owner: "vendor, partner", due: 2026-12-18',
    );

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      {
        path: 'stages.joint-discovery.milestones[0].owner',
        message: expect.stringMatching(/"vendor, partner" is not one owner/),
      },
    ]);
    expect(error.message).toMatch(/^invalid plan: stages.joint-discovery.milestones\[0\].owner: /);
    expect(error.name).toBe('ValidationError');
  });

  it('rejects malformed YAML with the line it failed on', () => {
    // Prepare
    const text = 'apiVersion: cosell/v1\nkind: [CoSellPlan\nname: x\n';

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      { path: '(root)', message: expect.stringMatching(/^invalid YAML: .*line 3/) },
    ]);
  });

  it('rejects YAML with a duplicate key', () => {
    // Prepare
    const text = EXAMPLE_YAML.replace('kind: CoSellPlan\n', 'kind: CoSellPlan\nkind: CoSellPlan\n');

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      {
        path: '(root)',
        message: expect.stringMatching(/^invalid YAML: duplicated mapping key \(line 6, column 1\)/),
      },
    ]);
  });

  it('rejects YAML with more than one document', () => {
    // Prepare
    const text = `${EXAMPLE_YAML}\n---\n${EXAMPLE_YAML}`;

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([{ path: '(root)', message: expect.stringMatching(/single document/) }]);
  });

  it('rejects YAML aliases, which could expand a small file into a huge document', () => {
    // Prepare
    const text = EXAMPLE_YAML.replace('attendees: [vendor, partner]', 'attendees: *parties').replace(
      'confirmedBy: [vendor, partner]',
      'confirmedBy: &parties [vendor, partner]',
    );

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      { path: '(root)', message: expect.stringMatching(/aliases \(\*name\) are not allowed in a plan file/) },
    ]);
  });

  it('rejects YAML tags outside the core schema', () => {
    // Prepare
    const text = EXAMPLE_YAML.replace('closeDate: 2027-02-26', 'closeDate: !!timestamp 2027-02-26');

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([{ path: '(root)', message: expect.stringMatching(/unknown scalar tag/) }]);
  });

  it('rejects malformed JSON', () => {
    // Prepare
    const text = EXAMPLE_JSON.replace('"kind"', 'kind');

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'json'));

    // Assess
    expect(error.issues).toEqual([{ path: '(root)', message: expect.stringMatching(/^invalid JSON: /) }]);
  });

  it.each([
    ['yaml', ''],
    ['yaml', '# nothing but a comment\n'],
    ['json', '  \n'],
  ] as const)('rejects an empty %s file', (format, text) => {
    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, format));

    // Assess
    expect(error.issues).toEqual([{ path: '(root)', message: expect.stringMatching(/empty/) }]);
  });

  it('rejects a document that is not a mapping', () => {
    // Prepare
    const text = '- a plan\n- in a list\n';

    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      { path: '(root)', message: 'Invalid input: expected object, received array' },
    ]);
  });

  it.each([
    ['ASCII', `${EXAMPLE_YAML}#${'x'.repeat(MAX_PLAN_BYTES)}\n`],
    ['multi-byte', `${EXAMPLE_YAML}#${'€'.repeat(MAX_PLAN_BYTES / 3)}\n`],
  ])('rejects input over 256 KB (%s)', (_kind, text) => {
    // Act
    const error = validationErrorOf(() => parsePlanDocument(text, 'yaml'));

    // Assess
    expect(error.issues).toEqual([
      { path: '(root)', message: 'the plan file is larger than the 256 KB limit' },
    ]);
  });

  it('accepts input just under 256 KB', () => {
    // Prepare
    const padding = MAX_PLAN_BYTES - Buffer.byteLength(EXAMPLE_YAML) - 2;
    const text = `${EXAMPLE_YAML}#${'x'.repeat(padding)}\n`;

    // Act
    const plan = parsePlanDocument(text, 'yaml');

    // Assess
    expect(Buffer.byteLength(text)).toBe(MAX_PLAN_BYTES);
    expect(plan.kind).toBe('CoSellPlan');
  });
});

describe('detectFormat', () => {
  it.each([
    ['globex.yaml', 'yaml'],
    ['plans/globex.yml', 'yaml'],
    ['GLOBEX.YAML', 'yaml'],
    ['globex.json', 'json'],
    ['Globex.JSON', 'json'],
  ] as const)('reads %s as %s', (fileName, format) => {
    // Act
    const detected = detectFormat(fileName);

    // Assess
    expect(detected).toBe(format);
  });

  it('rejects a file name it cannot tell the format of', () => {
    // Act
    const error = validationErrorOf(() => detectFormat('globex.txt'));

    // Assess
    expect(error.issues).toEqual([
      { path: '(root)', message: 'cannot tell the format of globex.txt: name it .yaml, .yml or .json' },
    ]);
  });
});
