import type { Weekday } from '../workdays';

/** The tenant's settings, as the functions' environment gives them. */
export interface TenantConfig {
  tenant: string;
  publicBaseUrl: string;
  defaultTimezone: string;
  linkTtlDays: number;
  /** Days without any partner-side action, while partner work is open, before its ladder is told (7). */
  ghostingDays?: number;
  /** Days people work (Mon to Fri); the sweep sends nothing on other days, on each recipient's calendar. */
  workweek?: Weekday[];
  /** The tenant's holidays (`YYYY-MM-DD`): never working days. */
  holidays?: string[];
  /** Working days after a gate's deadline before its ladder is told (1). */
  escalationGraceBusinessDays?: number;
  /** Days a deal room's view link stays valid (ROOM_LINK_TTL_DAYS when absent). */
  roomLinkTtlDays?: number;
  /** The vendor company, as emails and pages name it (VENDOR_NAME when absent). */
  vendorName?: string;
  /** Optional branding of emails and pages: a CSS colour (`#0b57d0`) and an https logo URL. */
  brandColor?: string;
  logoUrl?: string;
  /** The weighted forecast's stage weights, percent, stages 1 to 5 (STAGE_WEIGHTS when absent). */
  stageWeights?: readonly number[];
  /** The program's cost per quarter: people, MDF and tools as one amount (none when absent). */
  programCost?: { amount: number; currency: string };
}
