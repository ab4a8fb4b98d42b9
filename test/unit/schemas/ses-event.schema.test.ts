import { readFileSync } from 'node:fs';
import type { SNSEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { readSesEvent } from '../../../lambdas/schemas/ses-event.schema';

function snsMessage(name: string): string {
  const url = new URL(`../../fixtures/events/sns/${name}.json`, import.meta.url);
  const sns = JSON.parse(readFileSync(url, 'utf8')) as SNSEvent;
  return sns.Records[0]?.Sns.Message ?? '';
}

describe('readSesEvent', () => {
  it.each(['ses-bounce', 'ses-bounce-transient', 'ses-complaint', 'ses-delivery', 'ses-reject'])(
    'reads the %s notification',
    (name) => {
      // Act
      const read = readSesEvent(snsMessage(name));

      // Assess
      expect(read).toHaveProperty('event');
    },
  );

  it('keeps what suppression reads and drops the rest', () => {
    // Act
    const read = readSesEvent(snsMessage('ses-bounce'));

    // Assess
    expect(read).toEqual({
      event: {
        eventType: 'Bounce',
        bounce: {
          bounceType: 'Permanent',
          bounceSubType: 'General',
          bouncedRecipients: [
            { emailAddress: 'Dana.Whit@northwind.example', diagnosticCode: 'smtp; 550 5.1.1 user unknown' },
          ],
        },
        mail: { destination: ['dana.whit@northwind.example'], messageId: '0100018c4f3e-example' },
      },
    });
  });

  it('says why a message is not an SES event: not JSON, no event type, a section of the wrong shape', () => {
    expect(readSesEvent('not json')).toEqual({ issues: [{ path: '(root)', message: 'is not JSON' }] });
    expect(readSesEvent('{"Type":"SubscriptionConfirmation"}')).toEqual({
      issues: [{ path: '(root)', message: 'has neither eventType nor notificationType' }],
    });
    const wrong = readSesEvent('{"eventType":"Bounce","bounce":{"bouncedRecipients":"dana@x"}}');
    expect(wrong).toEqual({ issues: [expect.objectContaining({ path: 'bounce.bouncedRecipients' })] });
  });
});
