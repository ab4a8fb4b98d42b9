import * as z from 'zod/mini';
import './zod-locale';
import { formatIssues, type ValidationIssue } from './validation';

/**
 * The parts of an SES event-publishing notification (configuration set -> SNS -> ses-events) we read:
 * `eventType` (`notificationType` in the older feedback notifications) and its section. Everything else
 * SES sends is dropped.
 */
const address = z.optional(z.string());

export const sesEventSchema = z
  .object({
    eventType: z.optional(z.string()),
    notificationType: z.optional(z.string()),
    mail: z.optional(
      z.object({ destination: z.optional(z.array(z.string())), messageId: z.optional(z.string()) }),
    ),
    bounce: z.optional(
      z.object({
        bounceType: z.optional(z.string()),
        bounceSubType: z.optional(z.string()),
        bouncedRecipients: z.optional(
          z.array(z.object({ emailAddress: address, diagnosticCode: z.optional(z.string()) })),
        ),
      }),
    ),
    complaint: z.optional(
      z.object({
        complainedRecipients: z.optional(z.array(z.object({ emailAddress: address }))),
        complaintFeedbackType: z.optional(z.string()),
      }),
    ),
  })
  .check(
    z.refine((e) => e.eventType !== undefined || e.notificationType !== undefined, {
      message: 'has neither eventType nor notificationType',
    }),
  );

export type SesEvent = z.output<typeof sesEventSchema>;

/** An SNS message's text as an SES event, or why it is not one (not JSON, or not the shape above). */
export function readSesEvent(message: string): { event: SesEvent } | { issues: ValidationIssue[] } {
  let data: unknown;
  try {
    data = JSON.parse(message);
  } catch {
    return { issues: [{ path: '(root)', message: 'is not JSON' }] };
  }
  const parsed = sesEventSchema.safeParse(data);
  return parsed.success ? { event: parsed.data } : { issues: formatIssues(parsed.error) };
}
