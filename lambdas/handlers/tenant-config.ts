import { type Environment, required } from '../adapters/environment';
import type { TenantConfig } from '../domain/ports';

/**
 * The tenant's settings as the use cases read them, from the function's environment. Its own module (wiring
 * re-exports it), so a handler that needs only this, such as deal-room, bundles none of wiring's clients.
 */
export function tenantConfig(env: Environment): TenantConfig {
  return {
    tenant: env.TENANT,
    publicBaseUrl: required(env, 'PUBLIC_BASE_URL').replace(/\/+$/, ''),
    defaultTimezone: env.DEFAULT_TIMEZONE,
    linkTtlDays: env.LINK_TTL_DAYS,
    ghostingDays: env.GHOSTING_DAYS,
    workweek: env.WORKWEEK,
    holidays: env.HOLIDAYS,
    escalationGraceBusinessDays: env.ESCALATION_GRACE_BUSINESS_DAYS,
    roomLinkTtlDays: env.ROOM_LINK_TTL_DAYS,
    ...(env.VENDOR_NAME ? { vendorName: env.VENDOR_NAME } : {}),
    ...(env.BRAND_COLOR ? { brandColor: env.BRAND_COLOR } : {}),
    ...(env.LOGO_URL ? { logoUrl: env.LOGO_URL } : {}),
  };
}
