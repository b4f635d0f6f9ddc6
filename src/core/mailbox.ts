/** One email address with an optional display name, as nodemailer takes it. */
export interface Mailbox {
  name?: string;
  address: string;
}

// A label of a domain: letters (any script) and digits, inner hyphens.
const label = String.raw`[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?`;
// The local part: no space, no @, none of the characters that delimit addresses in a header.
const bareAddress = new RegExp(String.raw`^(?!\.)[^\s@<>()\[\]\\,;:"]+(?<!\.)@${label}(?:\.${label})*$`, 'u');

/**
 * Reads `ada@example.com` or `Ada Lovelace <ada@example.com>` (the name may be
 * quoted: `"Lovelace, Ada" <ada@example.com>`); null for anything else, a list
 * of several addresses included. Kept permissive on purpose (`ops@localhost`
 * passes): the mail server is the judge of what it delivers.
 * @example parseMailbox('Ada <ada@example.com>') // { name: 'Ada', address: 'ada@example.com' }
 * @example parseMailbox('ada@example.com, bob@example.com') // null
 */
export function parseMailbox(text: string): Mailbox | null {
  const trimmed = text.trim();
  if (/[\r\n]/.test(trimmed)) return null;
  if (bareAddress.test(trimmed)) return { address: trimmed };
  const named = /^(.*?)\s*<([^<>]*)>$/.exec(trimmed);
  if (!named || !bareAddress.test(named[2])) return null;
  const name = named[1].replace(/^"(.*)"$/, '$1').trim();
  if (/[<>]/.test(name) || (!named[1].startsWith('"') && /[,;]/.test(name))) return null;
  return name ? { name, address: named[2] } : { address: named[2] };
}

/** The address part alone. @example mailboxAddress('Ada <ada@example.com>') // 'ada@example.com' */
export function mailboxAddress(text: string): string | null {
  return parseMailbox(text)?.address ?? null;
}
