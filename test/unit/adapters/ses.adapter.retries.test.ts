import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { describe, expect, it } from 'vitest';
import { SES_MAX_ATTEMPTS, SesMailer, sesClient } from '../../../lambdas/adapters/ses.adapter';
import { DeliveryDeferredError, DeliveryRejectedError } from '../../../lambdas/domain/cadence';
import type { OutboundEmail } from '../../../lambdas/domain/ports';

// Apart from ses.adapter.test.ts: its mockClient(SESv2Client) replaces `send` on every client, and with it
// the SDK's retry middleware that these tests are about. Nothing here reaches the network.

function email(): OutboundEmail {
  return {
    key: 'k',
    to: ['dana.whit@northwind.example'],
    cc: [],
    subject: 'Globex: the door-opener gate is open',
    text: 'Hello Dana',
    html: '<p>Hello Dana</p>',
  };
}

/**
 * A real SES v2 client (the SDK's own retry middleware runs; aws-sdk-client-mock would skip it) whose HTTP
 * layer answers each request with the next of `answers` (the last one repeats), without the network. The
 * retry strategy is the SDK's standard one with `SES_MAX_ATTEMPTS` attempts, minus the waits.
 */
function clientAnswering(...answers: { status: number; errorType?: string }[]) {
  const requests: string[] = [];
  const requestHandler = {
    handle: async (request: { path: string }) => {
      requests.push(request.path);
      const answer = answers[Math.min(requests.length, answers.length) - 1] ?? { status: 200 };
      const body = answer.errorType ? { message: `${answer.errorType} (test)` } : { MessageId: 'm-1' };
      return {
        response: {
          statusCode: answer.status,
          headers: {
            'content-type': 'application/json',
            ...(answer.errorType ? { 'x-amzn-errortype': answer.errorType } : {}),
          },
          body: new TextEncoder().encode(JSON.stringify(body)),
        },
      };
    },
  };
  const client = sesClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    requestHandler: requestHandler as never,
    retryStrategy: new ConfiguredRetryStrategy(SES_MAX_ATTEMPTS, () => 1),
  });
  return { client, requests };
}

describe('SesMailer on the SDK retry strategy', () => {
  it('leaves throttling to the SDK, which retries it and sends once it passes', async () => {
    // Prepare
    const { client, requests } = clientAnswering(
      { status: 429, errorType: 'TooManyRequestsException' },
      { status: 200 },
    );
    const mailer = new SesMailer(client, 'deals@vendor.example', 'cosell-flow-acme');

    // Act
    await mailer.send(email());

    // Assess
    expect(requests).toEqual(['/v2/email/outbound-emails', '/v2/email/outbound-emails']);
  });

  it.each([
    [429, 'TooManyRequestsException'],
    [500, 'InternalFailure'],
    [503, 'ServiceUnavailable'],
  ])(
    'reports %i %s as deferred once the SDK’s attempts are spent, trying no more itself',
    async (status, errorType) => {
      // Prepare
      const { client, requests } = clientAnswering({ status, errorType });
      const mailer = new SesMailer(client, 'deals@vendor.example', 'cosell-flow-acme');

      // Act
      const sending = mailer.send(email());

      // Assess
      await expect(sending).rejects.toBeInstanceOf(DeliveryDeferredError);
      await expect(sending).rejects.toThrow(`${errorType} (test)`);
      expect(requests).toHaveLength(SES_MAX_ATTEMPTS);
    },
  );

  it('reports a refusal of the SDK’s own (400, MessageRejected) at once, in one request', async () => {
    // Prepare
    const { client, requests } = clientAnswering({ status: 400, errorType: 'MessageRejected' });
    const mailer = new SesMailer(client, 'deals@vendor.example', 'cosell-flow-acme');

    // Act / Assess
    await expect(mailer.send(email())).rejects.toBeInstanceOf(DeliveryRejectedError);
    expect(requests).toHaveLength(1);
  });
});
