/** The tenant's settings, as the functions' environment gives them. */
export interface TenantConfig {
  tenant: string;
  publicBaseUrl: string;
  defaultTimezone: string;
  linkTtlDays: number;
  /** Days without any partner-side action, while partner work is open, before its ladder is told (7). */
  ghostingDays?: number;
}
