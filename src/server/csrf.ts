/** Methods that change nothing, so another site may send them. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a cookie-authenticated request must be refused as cross-site, or null.
 * A browser sends `Sec-Fetch-Site` and `Origin` with every POST and cannot be
 * made to forge them; a request with neither comes from a program, which holds
 * the cookie only if its owner gave it away. The host compared with is
 * `X-Forwarded-Host` (set by a proxy in front, or by Next from `Host`), then `Host`.
 * @example crossSiteReason('POST', new Headers({ origin: 'https://evil.example', host: 'jobs.local' })) // 'cross-site request refused: ...'
 */
export function crossSiteReason(method: string, headers: Headers): string | null {
  if (safeMethods.has(method.toUpperCase())) return null;
  const site = headers.get('sec-fetch-site');
  if (site !== null && site !== 'same-origin' && site !== 'none') {
    return `cross-site request refused: Sec-Fetch-Site is ${site}`;
  }
  const origin = headers.get('origin');
  if (origin === null) return null;
  const host = (headers.get('x-forwarded-host') ?? headers.get('host') ?? '').split(',')[0].trim().toLowerCase();
  let originHost: string;
  try {
    originHost = new URL(origin).host.toLowerCase();
  } catch {
    return `cross-site request refused: Origin "${origin.slice(0, 100)}" is not a URL`;
  }
  return originHost === host ? null : `cross-site request refused: Origin ${originHost} is not this server (${host || 'no Host header'})`;
}
