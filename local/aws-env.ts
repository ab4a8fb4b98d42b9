/** Base URLs (e.g. `http://127.0.0.1:8123`) of the local components the AWS SDK clients should talk to. */
export interface LocalEndpoints {
  /** DynamoDB Local. */
  dynamodb: string;
  /** The SES emulator (aws-ses-v2-local). */
  ses: string;
  /** Our AWS JSON emulator: EventBridge, Secrets Manager, Step Functions task callbacks. */
  emulator: string;
}

export const LOCAL_REGION = 'us-east-1';

/**
 * Environment that points every AWS SDK v3 client at the local stack. The SDK (@smithy/core
 * getEndpointUrlConfig) reads `AWS_ENDPOINT_URL_<serviceId>` with the service id upper-cased and
 * spaces turned into underscores, so handler code needs no endpoint configuration.
 *
 * A client resolves its endpoint on its first request and keeps it: apply this before any handler
 * module sends anything, and keep the ports stable if the stack restarts in the same process.
 */
export function localAwsEnv({ dynamodb, ses, emulator }: LocalEndpoints): Record<string, string> {
  return {
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    // Dummy credentials. An AWS_PROFILE would make the SDK skip them for the profile's real (maybe
    // expired SSO) credentials; empty counts as unset.
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: '',
    AWS_PROFILE: '',
    // A developer's shell may set this to true, which would send every call to real AWS.
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'false',
    AWS_ENDPOINT_URL_DYNAMODB: dynamodb,
    AWS_ENDPOINT_URL_SES: ses,
    // @aws-sdk/client-sesv2 (service id SESv2), which the mailer uses; the emulator answers v1 and v2.
    AWS_ENDPOINT_URL_SESV2: ses,
    AWS_ENDPOINT_URL_SFN: emulator,
    AWS_ENDPOINT_URL_EVENTBRIDGE: emulator,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: emulator,
  };
}

/** Writes `vars` into `env` (process.env by default) and returns a function that restores what was there. */
export function applyEnv(vars: Record<string, string>, env: NodeJS.ProcessEnv = process.env): () => void {
  const previous = Object.fromEntries(Object.keys(vars).map((key) => [key, env[key]]));
  Object.assign(env, vars);
  return () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete env[key];
      else env[key] = value;
    }
  };
}
