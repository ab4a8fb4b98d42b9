import { InvalidArgumentError } from 'commander';

/** An option value that must be a whole number (commander calls it with the raw text). */
export function positiveInt(name: string) {
  return (value: string) => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be a whole number`);
    return Number(value);
  };
}

/** An option value that must be a calendar date, YYYY-MM-DD. */
export function isoDate(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidArgumentError('expected a date written YYYY-MM-DD');
  }
  return value;
}
