import type { Deal, Owner } from '../../domain/deal';
import type { AceReviewNotice, OutboundEmail } from '../../domain/ports';
import { headerSafe } from '../text';
import { fromVendorOwner, renderEmail } from './email-layout';

/**
 * AWS Partner Central's review of a deal's ACE opportunity asks for action or rejected it: the vendor owner
 * hears what ACE said, what to do about it, and gets their room link. Vendor-side only (it names ACE and its
 * catalog), so no customer wording applies.
 */
export function aceReviewEmail(
  deal: Deal,
  recipient: Owner,
  review: AceReviewNotice,
  key: string,
): OutboundEmail {
  const rejected = review.status === 'Rejected';
  const where = `${deal.plan.name} (${deal.plan.account.name} with ${deal.plan.partner.name})`;
  const steps = rejected
    ? [
        'AWS will not co-sell this opportunity as it stands.',
        'If the reason can be fixed, correct the opportunity in AWS Partner Central and submit it again; otherwise ask your AWS Partner Development Manager.',
        'The deal itself goes on in Cosell Flow; only the AWS co-sell support is affected.',
      ]
    : [
        `Open opportunity ${review.opportunityId} in AWS Partner Central (Opportunities), make the changes ACE asks for, and submit it again.`,
        'ACE holds the opportunity until then: AWS does not co-sell it meanwhile.',
        "Fields that come from the plan (customer, project, spend) can also be put right in the plan's ace: block, so the next sync writes them.",
      ];
  const { text, html } = renderEmail({
    greeting: `Hi ${recipient.name},`,
    intro: `AWS Partner Central reviewed the ACE opportunity of ${where} and ${rejected ? 'rejected it' : 'asks for action'}.`,
    sections: [
      {
        heading: 'What ACE said',
        lines: [
          { text: `Review status: ${review.status}` },
          { text: review.reason },
          { text: `Opportunity ${review.opportunityId} (${review.catalog} catalog)` },
        ],
      },
      { heading: 'What to do', lines: steps.map((t) => ({ text: t })) },
    ],
    footer:
      'The deal is marked as needing attention until this is dealt with. You get this email once for each change of the review status.',
    rooms: [deal],
  });
  return {
    key,
    to: [recipient.email],
    cc: [],
    subject: headerSafe(`[${deal.plan.name}] AWS Partner Central: ${review.status}`),
    text,
    html,
    ...fromVendorOwner(deal),
  };
}
