import { Logger } from '@aws-lambda-powertools/logger';

/** One structured logger per function. Tokens and task tokens are never passed to it. */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'cosell-flow' });
