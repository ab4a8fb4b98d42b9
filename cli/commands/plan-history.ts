import type { Command } from 'commander';
import { ExitCode } from '../exit-codes';
import { type CommandContext, json } from './command-context';

interface Entry {
  at: string;
  by: string;
  kind: string;
  detail: Record<string, unknown>;
}

/** One entry as a line: when, who, what, and the gist of its detail. */
export function historyLine(e: Entry): string {
  const d = e.detail;
  let what: string;
  switch (e.kind) {
    case 'email':
      what = `to ${(d.to as string[] | undefined)?.join(', ')}: "${d.subject}" (${d.why})`;
      break;
    case 'amended':
      what = `version ${d.version}: ${((d.changes as unknown[]) ?? []).length} change(s)`;
      break;
    case 'link-action':
      what = `${d.action} ${d.target}${d.evidence && Object.keys(d.evidence).length ? ` ${JSON.stringify(d.evidence)}` : ''}`;
      break;
    case 'closed':
      what = `${d.outcome} at ${d.stage}: ${d.reason}`;
      break;
    default:
      what = JSON.stringify(d);
  }
  return `${e.at}  ${e.by}  ${e.kind}  ${what}`;
}

/** `cosell plan history ID [--json]`: the deal's append-only trail, oldest first. */
export function addPlanHistory(plan: Command, { out, setExit, client }: CommandContext): void {
  plan
    .command('history')
    .description("a deal's append-only history, oldest first: GET /plans/{id}/history")
    .argument('<planId>', 'the plan id')
    .option('--json', 'print the API answer as JSON')
    .action(async (planId: string, options: { json?: boolean }, command: Command) => {
      const res = await client(command).request<{ planId: string; entries: Entry[] }>(
        'GET',
        `/plans/${encodeURIComponent(planId)}/history`,
      );
      out(options.json ? json(res.body) : res.body.entries.map(historyLine).join('\n'));
      setExit(ExitCode.ok);
    });
}
