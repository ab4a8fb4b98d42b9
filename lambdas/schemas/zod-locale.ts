import * as z from 'zod/mini';

// zod/mini loads no locale, so every default message would read "Invalid input". Every schema module
// imports this file for its side effect, which sets English messages once. They read as zod's own English
// locale does (test/unit/schemas/zod-locale.test.ts holds them to it), for the checks our schemas use, in a
// third of its size: zod's carries words for some thirty string formats we never check, in every bundle.

type Issue = Parameters<z.core.$ZodErrorMap>[0];

/** What a size counts, by the kind of value measured. */
const UNITS: Record<string, string> = {
  string: 'characters',
  file: 'bytes',
  array: 'items',
  set: 'items',
  map: 'entries',
};

/** The string formats our schemas check, in words (others are named by their zod name). */
const FORMATS: Record<string, string> = {
  regex: 'input',
  email: 'email address',
  url: 'URL',
  datetime: 'ISO datetime',
  date: 'ISO date',
  time: 'ISO time',
  duration: 'ISO duration',
};

// `show` and `received` restate zod's util.stringifyPrimitive and parsedType: reaching them through
// `z.core.util` or `zod/v4/core` measured 9 KB more in every bundle (npm run bench:budget).
const show = (value: unknown) =>
  typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${value}`;

/** The received value's type, as zod names it. */
function received(input: unknown): string {
  if (typeof input === 'number') return Number.isFinite(input) ? 'number' : String(input);
  if (typeof input !== 'object' || input === null) return input === null ? 'null' : typeof input;
  if (Array.isArray(input)) return 'array';
  const proto = Object.getPrototypeOf(input);
  return proto !== Object.prototype && proto !== null && input.constructor
    ? input.constructor.name
    : 'object';
}

function size(issue: Extract<Issue, { code: 'too_big' | 'too_small' }>): string {
  const big = issue.code === 'too_big';
  const limit = String(big ? issue.maximum : issue.minimum);
  const compare = issue.exact ? 'exactly ' : `${big ? '<' : '>'}${issue.inclusive ? '=' : ''}`;
  const unit = UNITS[issue.origin ?? ''];
  const expected = `${big ? (issue.origin ?? 'value') : issue.origin}`;
  return `Too ${big ? 'big' : 'small'}: expected ${expected} to ${unit ? `have ${compare}${limit} ${unit}` : `be ${compare}${limit}`}`;
}

export function englishMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${issue.expected}, received ${received(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `Invalid input: expected ${show(issue.values[0])}`
        : `Invalid option: expected one of ${issue.values.map(show).join('|')}`;
    case 'too_big':
    case 'too_small':
      return size(issue);
    case 'invalid_format': {
      const f = issue as Issue & { prefix?: string; suffix?: string; includes?: string; pattern?: string };
      if (f.format === 'starts_with') return `Invalid string: must start with "${f.prefix}"`;
      if (f.format === 'ends_with') return `Invalid string: must end with "${f.suffix}"`;
      if (f.format === 'includes') return `Invalid string: must include "${f.includes}"`;
      if (f.format === 'regex') return `Invalid string: must match pattern ${f.pattern}`;
      return `Invalid ${FORMATS[String(f.format)] ?? f.format}`;
    }
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${issue.keys.map(show).join(', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown[] }).options;
      if (Array.isArray(options) && options.length > 0)
        return `Invalid discriminator value. Expected ${options.map((o) => `'${o}'`).join(' | ')}`;
      return issue.inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input';
    }
    default:
      return 'Invalid input';
  }
}

z.config({ localeError: englishMessage });
