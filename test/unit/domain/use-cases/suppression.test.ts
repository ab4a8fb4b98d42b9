import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type {
  CalendarInvite,
  OutboundEmail,
  Suppression,
  SuppressionList,
} from '../../../../lambdas/domain/ports';
import {
  recordSesEvent,
  SuppressingMailer,
  suppressionsOf,
} from '../../../../lambdas/domain/use-cases/suppression';
import { readSesEvent, type SesEvent } from '../../../../lambdas/schemas/ses-event.schema';
import { FakeClock, fakeDeps, RecordingMailer } from '../../../helpers/fakes';
import { PEOPLE, planWith, startedDeal } from '../../../helpers/plan';

class MemorySuppressionList implements SuppressionList {
  readonly entries = new Map<string, Suppression>();

  async isSuppressed(email: string): Promise<boolean> {
    return this.entries.has(email.toLowerCase());
  }

  async suppress(entry: Suppression): Promise<boolean> {
    if (this.entries.has(entry.email)) return false;
    this.entries.set(entry.email, entry);
    return true;
  }
}

/** The SES event inside an SNS fixture from `test/fixtures/events/sns/`. */
function sesEvent(name: string): SesEvent {
  const url = new URL(`../../../fixtures/events/sns/${name}.json`, import.meta.url);
  const sns = JSON.parse(readFileSync(url, 'utf8')) as SNSEvent;
  const read = readSesEvent(sns.Records[0]?.Sns.Message ?? '{}');
  if ('issues' in read) throw new Error(`fixture ${name} is not an SES event`);
  return read.event;
}

function world(snapshot = startedDeal()) {
  const deps = fakeDeps({ clock: new FakeClock('2026-12-07T15:31:05.000Z') });
  deps.store.put(snapshot);
  const suppressions = new MemorySuppressionList();
  return { deps: { ...deps, suppressions }, suppressions, mailer: deps.mailer };
}

describe('suppressionsOf', () => {
  it('suppresses on a permanent bounce and a complaint, lower-cased', () => {
    const now = new Date('2026-12-07T15:31:05.000Z');
    expect(suppressionsOf(sesEvent('ses-bounce'), now)).toEqual([
      { email: PEOPLE.dana, reason: 'bounce', at: now.toISOString(), detail: 'permanent bounce, General' },
    ]);
    expect(suppressionsOf(sesEvent('ses-complaint'), now)).toEqual([
      { email: PEOPLE.dana, reason: 'complaint', at: now.toISOString(), detail: 'complaint, abuse' },
    ]);
  });

  it('ignores deliveries, rejects and transient bounces (they say nothing about the address)', () => {
    const now = new Date();
    for (const name of ['ses-delivery', 'ses-reject', 'ses-bounce-transient']) {
      expect(suppressionsOf(sesEvent(name), now), name).toEqual([]);
    }
  });
});

describe('recordSesEvent', () => {
  it('suppresses the address and tells the vendor owner of the active plan naming it, once', async () => {
    // Prepare
    const { deps, suppressions, mailer } = world();

    // Act
    const first = await recordSesEvent(deps, sesEvent('ses-bounce'));
    const again = await recordSesEvent(deps, sesEvent('ses-complaint'));

    // Assess
    expect(first).toEqual({ suppressed: [PEOPLE.dana], notices: 1 });
    expect(again).toEqual({ suppressed: [PEOPLE.dana], notices: 0 });
    expect([...suppressions.entries.keys()]).toEqual([PEOPLE.dana]);
    expect(mailer.sent).toHaveLength(1);
    const [notice] = mailer.sent;
    expect(notice?.to).toEqual([PEOPLE.ana]);
    expect(notice?.key).toBe(`suppression#${startedDeal().deal.planId}#${PEOPLE.dana}`);
    expect(notice?.subject).toBe(`[Globex platform migration] Undeliverable: ${PEOPLE.dana}`);
    expect(notice?.text).toContain('partner owner (Dana Whit)');
    expect(notice?.text).toContain('owner of “Warm introduction to Lee Park”');
    expect(notice?.text).toContain('its mail bounced permanently (permanent bounce, General)');
  });

  it('tells the vendor’s first escalation rung when the vendor owner’s own address bounced', async () => {
    const { deps, mailer } = world();
    const event = sesEvent('ses-bounce');
    event.bounce = { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: PEOPLE.ana }] };
    await recordSesEvent(deps, event);
    expect(mailer.sent.map((e) => e.to)).toEqual([[PEOPLE.sam]]);
  });

  it('tells nobody about a plan that does not name the address, or one no longer active', async () => {
    // Prepare
    const other = startedDeal(
      undefined,
      planWith((p) => {
        p.name = 'Other deal';
      }),
    );
    const { deps, mailer } = world({ ...other, deal: { ...other.deal, status: 'won' } });

    // Act
    const report = await recordSesEvent(deps, sesEvent('ses-bounce'));

    // Assess
    expect(report).toEqual({ suppressed: [PEOPLE.dana], notices: 0 });
    expect(mailer.sent).toEqual([]);
  });

  it('does nothing for a delivery', async () => {
    const { deps, suppressions, mailer } = world();
    expect(await recordSesEvent(deps, sesEvent('ses-delivery'))).toEqual({ suppressed: [], notices: 0 });
    expect(suppressions.entries.size).toBe(0);
    expect(mailer.sent).toEqual([]);
  });
});

const EMAIL: OutboundEmail = {
  key: 'k',
  to: [PEOPLE.sam],
  cc: [PEOPLE.ana],
  subject: 's',
  text: 't',
  html: 'h',
};

describe('SuppressingMailer', () => {
  it('drops suppressed recipients, copies included, and sends to the rest', async () => {
    // Prepare
    const list = new MemorySuppressionList();
    await list.suppress({ email: PEOPLE.ana, reason: 'bounce', at: 'x', detail: 'x' });
    const inner = new RecordingMailer();
    const skipped: string[][] = [];
    const mailer = new SuppressingMailer(inner, list, (_e, s) => skipped.push(s));

    // Act
    await mailer.send(EMAIL);
    await mailer.send({ ...EMAIL, to: ['Ana.Ruiz@Vendor.example'], cc: [] });

    // Assess
    expect(inner.sent.map((e) => [e.to, e.cc])).toEqual([[[PEOPLE.sam], []]]);
    expect(skipped).toEqual([[PEOPLE.ana], ['Ana.Ruiz@Vendor.example']]);
  });

  it('passes sends with a calendar invitation through the same filter', async () => {
    const list = new MemorySuppressionList();
    await list.suppress({ email: PEOPLE.sam, reason: 'complaint', at: 'x', detail: 'x' });
    const inner = new RecordingMailer();
    const mailer = new SuppressingMailer(inner, list);
    const invite: CalendarInvite = { method: 'REQUEST', ics: 'BEGIN:VCALENDAR' };
    await mailer.sendWithInvitation(EMAIL, invite);
    await mailer.sendWithInvitation({ ...EMAIL, key: 'k2', to: [PEOPLE.dana] }, invite);
    expect(inner.sent.map((e) => e.to)).toEqual([[PEOPLE.dana]]);
    expect([...inner.invites.entries()]).toEqual([['k2', invite]]);
  });
});
