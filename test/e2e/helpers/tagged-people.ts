/**
 * The reference plan's people, one set per plan: each plan of a cadence test gets its own addresses, tagged
 * with the plan's letter (`ana` of plan `a` is ana.ruiz@vendor-a.example), so its outbox story stands apart.
 */

/** Each person's timezone, as the reference plan has it (rungs take their party owner's). */
export const TZ = {
  ana: 'America/Chicago',
  sam: 'America/Chicago',
  kim: 'America/Chicago',
  dana: 'America/New_York',
  raj: 'America/New_York',
  lee: 'America/Los_Angeles',
} as const satisfies Record<string, string>;

export type Person = keyof typeof TZ;

const BASE: Record<Person, string> = {
  ana: 'ana.ruiz@vendor',
  sam: 'sam.ortiz@vendor',
  kim: 'kim.lau@vendor',
  dana: 'dana.whit@northwind',
  raj: 'raj.mehta@northwind',
  lee: 'lee.park@globex',
};

/** A person of plan `tag`: `who('a', 'ana')` is ana.ruiz@vendor-a.example. */
export function who(tag: string, person: Person): string {
  return `${BASE[person]}-${tag}.example`;
}

/** The timezone of a tagged address (its first name), else the tenant default's. */
export function tzOf(email: string): string {
  return (TZ as Record<string, string>)[email.split('.')[0] as string] ?? 'America/Chicago';
}

/** Rewrites the reference plan's addresses to plan `tag`'s. */
export function tagged(yaml: string, tag: string): string {
  return yaml.replace(/@(vendor|northwind|globex)\.example/g, `@$1-${tag}.example`);
}
