import type { Deal } from './deal';

/**
 * A link's target names its revision once an amendment has superseded the target's links:
 * `warm-intro@2` is the link to milestone `warm-intro` sent after its second change. Milestone ids and
 * stage keys never contain `@`, and revision 0 is written bare, so every link sent before the first
 * amendment keeps its exact bytes (and signature).
 */
export function linkTarget(deal: Pick<Deal, 'linkRevisions'>, target: string): string {
  const revision = deal.linkRevisions?.[target] ?? 0;
  return revision === 0 ? target : `${target}@${revision}`;
}

export function parseLinkTarget(text: string): { target: string; revision: number } {
  const at = text.lastIndexOf('@');
  if (at < 0) return { target: text, revision: 0 };
  const revision = Number(text.slice(at + 1));
  return { target: text.slice(0, at), revision: Number.isSafeInteger(revision) ? revision : -1 };
}

/** Whether a link's target is the target's current revision on the deal. */
export function currentRevision(deal: Pick<Deal, 'linkRevisions'>, text: string): boolean {
  const { target, revision } = parseLinkTarget(text);
  return revision === (deal.linkRevisions?.[target] ?? 0);
}
