import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** HTTP API (payload 2.0) plumbing shared by the two HTTP handlers. */

export type HttpEvent = APIGatewayProxyEventV2;
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 256 * 1024;

export function header(event: HttpEvent, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(event.headers ?? {})) if (k.toLowerCase() === wanted) return v;
  return undefined;
}

/** The media type without parameters, lower-cased: `application/json; charset=utf-8` -> `application/json`. */
export function mediaType(event: HttpEvent): string {
  return (header(event, 'content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** The request declares a charset the API does not read (anything but UTF-8): 415. */
export class UnsupportedCharsetError extends Error {
  override readonly name = 'UnsupportedCharsetError';
}

/** The body is not valid UTF-8: 400, instead of storing U+FFFD for every bad byte. */
export class InvalidEncodingError extends Error {
  override readonly name = 'InvalidEncodingError';
}

/** The `charset` parameter of the Content-Type, lower-cased, or undefined when it names none. */
export function charset(event: HttpEvent): string | undefined {
  const params = (header(event, 'content-type') ?? '').split(';').slice(1);
  for (const param of params) {
    const [name, value] = param.split('=').map((part) => part.trim());
    if (name?.toLowerCase() === 'charset' && value) return value.replace(/^"(.*)"$/, '$1').toLowerCase();
  }
  return undefined;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The body as text. Bodies are read as UTF-8, whatever the media type: a declared charset other than UTF-8
 * is refused (UnsupportedCharsetError, 415) and bytes that are not UTF-8 too (InvalidEncodingError, 400),
 * so a latin-1 or broken body is never stored with replacement characters.
 */
export function bodyText(event: HttpEvent): string {
  const declared = charset(event);
  if (declared !== undefined && declared !== 'utf-8' && declared !== 'utf8') {
    throw new UnsupportedCharsetError(`charset=${declared} is not supported: send the body as UTF-8`);
  }
  const bytes = bodyBytes(event);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new InvalidEncodingError(`the body is not valid UTF-8 (at byte ${firstInvalidByte(bytes)})`);
  }
}

/** The offset of the first byte of the first sequence that is not UTF-8 (for the message). */
function firstInvalidByte(bytes: Buffer): number {
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i] as number;
    const length =
      b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (length === 0 || i + length > bytes.length) return i;
    try {
      UTF8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

export function bodyBytes(event: HttpEvent): Buffer {
  if (!event.body) return Buffer.alloc(0);
  return Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function json(statusCode: number, body: unknown): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' },
    body: JSON.stringify(body),
  };
}

export function problem(
  statusCode: number,
  error: string,
  issues: { path: string; message: string }[] = [],
): HttpResult {
  return json(statusCode, { error, issues });
}

/** A passing failure (throttling, a service's 5xx): 503 with Retry-After, nothing half done is claimed. */
export function unavailable(retryAfterSeconds = 5): HttpResult {
  const result = problem(503, 'the service is busy for a moment; try again shortly');
  return { ...result, headers: { ...result.headers, 'retry-after': String(retryAfterSeconds) } };
}

/** The answer for a body that is not readable text: 415 for another charset, 400 for bytes not UTF-8. */
export function unreadableBody(error: unknown): HttpResult | undefined {
  if (error instanceof UnsupportedCharsetError)
    return problem(415, error.message, [{ path: '(content-type)', message: error.message }]);
  if (error instanceof InvalidEncodingError)
    return problem(400, error.message, [{ path: '(body)', message: error.message }]);
  return undefined;
}
