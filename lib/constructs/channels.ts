import { SecretValue, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import { channelMessage, channelPattern, type TransformerInput } from '../channel-messages';
import {
  CHANNEL_EVENTS,
  type ChannelEvent,
  type ChannelSetting,
  DEFAULT_CHANNEL_EVENTS,
} from '../integration-settings';
import type { TenantEventBus } from './tenant-event-bus';

export interface ChannelsProps {
  readonly channels: readonly ChannelSetting[];
  readonly tenantBus: TenantEventBus;
}

/** An input transformer as plain data (lib/channel-messages.ts), so the local bus renders the same one. */
class TransformerTargetInput extends events.RuleTargetInput {
  constructor(private readonly input: TransformerInput) {
    super();
  }
  public bind(): events.RuleTargetInputProperties {
    return { inputPathsMap: { ...this.input.inputPathsMap }, inputTemplate: this.input.inputTemplate };
  }
}

/**
 * Slack, Teams and webhook channels, delivered by EventBridge API destinations alone (no Lambda: every
 * message is an input transformer over the event). For each channel: a connection, an API destination whose
 * endpoint is a dynamic reference to the channel's secret (the URL is resolved by CloudFormation at deploy
 * time and never written into the template), and one rule per moment it takes, whose target renders the
 * channel's message and retries into the tenant bus's dead-letter queue.
 */
export class Channels extends Construct {
  public readonly connections: Record<string, events.Connection> = {};
  public readonly destinations: Record<string, events.ApiDestination> = {};
  public readonly rules: Record<string, events.Rule[]> = {};

  constructor(scope: Construct, id: string, props: ChannelsProps) {
    super(scope, id);
    const tenant = Stack.of(this).stackName;
    for (const channel of props.channels) {
      const cid = channel.name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
      // Slack and Teams incoming webhooks authenticate by their URL alone, but a connection must carry an
      // authorization: a marker header (not a secret). A webhook's API key comes from the channel's secret.
      const authorization =
        channel.kind === 'webhook'
          ? events.Authorization.apiKey(
              'x-api-key',
              SecretValue.secretsManager(channel.secretName, { jsonField: 'apiKey' }),
            )
          : events.Authorization.apiKey('X-Cosell-Flow', SecretValue.unsafePlainText(tenant));
      const connection = new events.Connection(this, `${cid}Connection`, {
        description: `Cosell Flow channel ${channel.name} (${channel.kind})`,
        authorization,
      });
      const destination = new events.ApiDestination(this, `${cid}Destination`, {
        description: `Cosell Flow channel ${channel.name} (${channel.kind})`,
        connection,
        endpoint: SecretValue.secretsManager(channel.secretName, { jsonField: 'url' }).unsafeUnwrap(),
        httpMethod: events.HttpMethod.POST,
        // Slack allows about one message a second per incoming webhook.
        rateLimitPerSecond: channel.kind === 'webhook' ? 10 : 1,
      });
      this.connections[channel.name] = connection;
      this.destinations[channel.name] = destination;
      const shared = channel.partner !== undefined;
      this.rules[channel.name] = (channel.events ?? DEFAULT_CHANNEL_EVENTS).map(
        (moment: ChannelEvent) =>
          new events.Rule(
            this,
            `${cid}${moment.replace(/(^|-)([a-z])/g, (_, __, c: string) => c.toUpperCase())}`,
            {
              eventBus: props.tenantBus.eventBus,
              description: `${CHANNEL_EVENTS[moment]} to channel ${channel.name}`,
              eventPattern: (({ 'detail-type': detailType, ...rest }) => ({ ...rest, detailType }))(
                channelPattern(channel, CHANNEL_EVENTS[moment]),
              ),
              targets: [
                new targets.ApiDestination(destination, {
                  event: new TransformerTargetInput(channelMessage(channel.kind, moment, shared)),
                  ...props.tenantBus.targetDefaults(this),
                }),
              ],
            },
          ),
      );
    }
  }
}
