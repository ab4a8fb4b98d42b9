import { isParty, PARTIES, type Party } from './vocabulary';

/** The people a plan names, and who owns a milestone: shared by the plan schema's checks and the domain. */

interface Person {
  name: string;
  email: string;
  timezone?: string | undefined;
}

interface PeopleOfPlan {
  owners: Partial<Record<Party, Person | undefined>>;
  escalation: Partial<Record<Party, Person[] | undefined>>;
}

export interface PlanPerson extends Person {
  party: Party;
  path: PropertyKey[];
}

/** Everyone the plan names, named owners first, then each side's escalation ladder. */
export function peopleIn(plan: PeopleOfPlan): PlanPerson[] {
  const people: PlanPerson[] = [];
  for (const party of PARTIES) {
    const owner = plan.owners[party];
    if (owner) people.push({ party, ...owner, path: ['owners', party] });
  }
  for (const party of PARTIES) {
    plan.escalation[party]?.forEach((step, index) => {
      people.push({ party, ...step, path: ['escalation', party, index] });
    });
  }
  return people;
}

export function findPerson(people: PlanPerson[], email: string): PlanPerson | undefined {
  const wanted = email.toLowerCase();
  return people.find((person) => person.email.toLowerCase() === wanted);
}

export interface ResolvedOwner {
  party: Party;
  name: string;
  email: string;
  timezone?: string;
}

/**
 * Who owns a milestone: the party's named owner, or the person whose email it names. A person from an
 * escalation ladder has no timezone of their own, so they get their party's named owner's.
 * Throws when the plan does not name the owner (a plan that passed the plan schema always does).
 */
export function resolveOwner(plan: PeopleOfPlan, milestone: { id: string; owner: string }): ResolvedOwner {
  const owner = milestone.owner;
  const named = isParty(owner) ? plan.owners[owner] : undefined;
  const person = named ? { party: owner as Party, ...named } : findPerson(peopleIn(plan), owner);
  if (!person) throw new Error(`milestone ${milestone.id}: owner ${owner} is not named in the plan`);
  const timezone = person.timezone ?? plan.owners[person.party]?.timezone;
  return {
    party: person.party,
    name: person.name,
    email: person.email,
    ...(timezone === undefined ? {} : { timezone }),
  };
}
