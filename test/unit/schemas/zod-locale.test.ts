import { describe, expect, it } from 'vitest';
import { en } from 'zod/locales';
import * as z from 'zod/mini';
import { englishMessage } from '../../../lambdas/schemas/zod-locale';

// Our English messages (lambdas/schemas/zod-locale.ts) read as zod's own English locale does: every issue
// the schemas below raise gets the same words from both.

const zodEnglish = en().localeError as z.core.$ZodErrorMap;

class Money {
  constructor(readonly cents: number) {}
}

const CASES: [string, z.ZodMiniType, unknown][] = [
  ['a string, given a number', z.string(), 5],
  ['a string, given nothing', z.string(), undefined],
  ['a number, given NaN', z.number(), Number.NaN],
  ['a number, given Infinity', z.number(), Number.POSITIVE_INFINITY],
  ['an object, given an array', z.object({}), []],
  ['an object, given null', z.object({}), null],
  ['an object, given a class instance', z.string(), new Money(5)],
  ['an object, given a dictionary', z.string(), Object.create(null)],
  ['a boolean, given a function', z.boolean(), () => 1],
  ['one literal', z.literal('1.2'), '1.1'],
  ['one of an enum', z.enum(['vendor', 'partner']), 'customer'],
  ['a short string', z.string().check(z.maxLength(3)), 'abcd'],
  ['a long string', z.string().check(z.minLength(2)), 'a'],
  ['an exact length', z.string().check(z.length(2)), 'abc'],
  ['a small array', z.array(z.string()).check(z.maxLength(1)), ['a', 'b']],
  ['a minimum number', z.number().check(z.minimum(1)), 0],
  ['an exclusive maximum', z.number().check(z.lt(10)), 10],
  ['a whole number', z.number().check(z.multipleOf(1)), 1.5],
  ['a pattern', z.string().check(z.regex(/^\d+$/)), 'x'],
  ['a prefix', z.string().check(z.startsWith('https://')), 'http://'],
  ['a suffix', z.string().check(z.endsWith('.com')), 'x.org'],
  ['an infix', z.string().check(z.includes('@')), 'x'],
  ['an email address', z.email(), 'not-an-email'],
  ['a URL', z.url(), 'not a url'],
  ['an ISO datetime', z.iso.datetime(), '2026-13-01'],
  ['an ISO date', z.iso.date(), '2026-02-30'],
  ['no unknown key', z.strictObject({ a: z.string() }), { a: 'x', b: 1 }],
  ['no unknown keys', z.strictObject({}), { b: 1, c: 2 }],
  ['a union', z.union([z.string(), z.number()]), true],
  [
    'a discriminated union',
    z.discriminatedUnion('kind', [z.object({ kind: z.literal('a') })]),
    { kind: 'b' },
  ],
  ['a record key', z.record(z.enum(['a']), z.string()), { b: 'x' }],
];

describe('English validation messages', () => {
  it.each(CASES)('reads as zod’s English locale for %s', (_, schema, input) => {
    // Prepare: zod's raw issues, before any message is written.
    const result = schema.safeParse(input, { reportInput: true });
    expect(result.success).toBe(false);
    const issues = result.error?.issues ?? [];

    // Act and assess: the message of each issue (inner issues of a union or a record key too).
    const all = issues.flatMap((i) => [i, ...((i as { issues?: z.core.$ZodIssue[] }).issues ?? [])]);
    for (const issue of all) {
      const raw = issue as unknown as Parameters<z.core.$ZodErrorMap>[0];
      const theirs = zodEnglish(raw);
      expect(englishMessage(raw)).toBe(typeof theirs === 'string' ? theirs : theirs?.message);
    }
  });

  it('is the message a failed parse carries', () => {
    const result = z.strictObject({ name: z.string() }).safeParse({ name: 1, emial: 'x' });
    expect(result.error?.issues.map((i) => i.message)).toEqual([
      'Invalid input: expected string, received number',
      'Unrecognized key: "emial"',
    ]);
  });
});
