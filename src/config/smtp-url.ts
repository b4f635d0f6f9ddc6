/**
 * Why an SMTP_URL cannot be used, or null if it can: it must be
 * smtp://[user:password@]host[:port] or smtps://... Only the scheme is ever
 * quoted, since the URL carries the password.
 * @example smtpUrlProblem('http://mail.example.com') // 'has the scheme "http:"; use smtp://user:password@host:587 or smtps://user:password@host:465'
 */
export function smtpUrlProblem(url: string): string | null {
  const use = 'use smtp://user:password@host:587 or smtps://user:password@host:465';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a URL; ${use} (percent-encode @ : / in the password)`;
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') return `has the scheme "${parsed.protocol}"; ${use}`;
  if (!parsed.hostname) return `names no host; ${use}`;
  return null;
}

/**
 * The SMTP server of a URL for a log line, without the password.
 * @example smtpServerText('smtp://ada:secret@mail.example.com:587') // 'smtp://ada@mail.example.com:587'
 */
export function smtpServerText(url: string): string {
  const parsed = new URL(url);
  const user = parsed.username ? `${parsed.username}@` : '';
  return `${parsed.protocol}//${user}${parsed.host}`;
}
