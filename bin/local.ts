#!/usr/bin/env -S npx tsx
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { MissingJavaError } from '../local/dynamodb-local';
import { PortInUseError } from '../local/free-port';
import { startLocalStack } from '../local/runtime';

/**
 * `npm start`: Cosell Flow on this machine, no AWS account needed. Data lives in `.cosell/` and survives
 * restarts; Ctrl-C stops every child process.
 */
const port = Number(process.env.PORT ?? 3000);
const stateDir = process.env.COSELL_STATE_DIR ?? '.cosell';
const demoPlan = resolve(import.meta.dirname, '../examples/globex-platform-migration.yaml');

/** Set on Ctrl-C: whatever start-up was still doing fails as the services stop, and that is no error. */
let stopping = false;

async function main(): Promise<void> {
  const stack = await startLocalStack({ port, stateDir });
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local stack...`);
    await stack.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  const plans = (await (await fetch(`${stack.url}/plans`)).json()) as { plans: { planId: string }[] };
  let planId = plans.plans[0]?.planId;
  let demoLoaded = false;
  if (!planId && process.env.COSELL_NO_DEMO !== '1') {
    const res = await fetch(`${stack.url}/plans`, {
      method: 'POST',
      headers: { 'content-type': 'application/yaml' },
      body: readFileSync(demoPlan, 'utf8'),
    });
    const created = (await res.json()) as { planId: string };
    planId = created.planId;
    demoLoaded = true;
    console.log(`Loaded the demo plan (${demoPlan}).`);
  }
  // A link is a capability: print one only for the demo deal this start loaded, never someone else's.
  const firstLink = demoLoaded ? await firstActionLink(stack.url) : undefined;
  console.log(
    [
      '',
      `Cosell Flow is running locally on ${stack.url}`,
      `  Outbox (every email sent):  ${stack.url}/_local/outbox`,
      ...(firstLink ? [`  First action link:          ${firstLink}`] : []),
      ...(planId ? [`  The plan:                   ${stack.url}/plans/${planId}`] : []),
      `  Events on the tenant bus:   ${stack.url}/_local/events`,
      `  Move the clock:             curl -X POST ${stack.url}/_local/clock -d '{"advance":"PT72H"}'`,
      '',
      'Press Ctrl-C to stop.',
    ].join('\n'),
  );
}

/** The workflow opens stage 1 just after the plan is loaded; wait briefly for its first email. */
async function firstActionLink(url: string): Promise<string | undefined> {
  for (let i = 0; i < 50; i++) {
    const outbox = (await (await fetch(`${url}/_local/outbox`)).json()) as { links: string[] }[];
    const link = outbox.flatMap((m) => m.links)[0];
    if (link) return link;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

main().catch((error) => {
  if (stopping) return; // the shutdown handler finishes stopping and exits 0
  if (error instanceof MissingJavaError || error instanceof PortInUseError) {
    console.error(error.message);
  } else {
    console.error('The local stack could not start:', error instanceof Error ? error.message : error);
    if (process.env.DEBUG) console.error(error);
  }
  process.exit(1);
});
