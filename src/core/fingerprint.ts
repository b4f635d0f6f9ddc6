import { createHash } from 'node:crypto';

/**
 * What makes failures "the same failure": the error's name, its message with
 * the parts that vary from job to job normalised, and the first stack frame
 * in the app's own code without its line and column. Failed jobs are grouped
 * by (job name, fingerprint).
 */
export interface Fingerprint {
  /** 16 hex characters of a SHA-256 over the three parts below. */
  fingerprint: string;
  errorName: string;
  /** The normalised message, at most sampleChars long: what the group shows. */
  message: string;
  /** `fn (src/path.ts)`, or null when the stack has no frame in the app (or there is none). */
  frame: string | null;
}

/** The group of failed jobs that have no fingerprint: they failed before fingerprints were recorded. */
export const unknownFingerprint = 'unknown';

/** Only this much of a message is read, so a huge message costs no more than a long one. */
const readChars = 2_000;
/** The normalised message kept as the group's sample. */
const sampleChars = 500;
/** Stack lines looked at for an app frame. */
const framesRead = 50;

/**
 * The parts of a message that vary between failures of one kind, in the
 * order they are replaced: quoted values first (so a number inside quotes
 * goes with its quotes), then ids and addresses, then any number left.
 */
const variableParts: [RegExp, string][] = [
  [/"(?:[^"\\\n]|\\.)*"/g, '<str>'],
  // A quote only where a word does not go on through it: "can't" and "user's" keep theirs.
  [/(?<!\w)'(?:[^'\\\n]|\\.)*'(?!\w)/g, '<str>'],
  [/`[^`\n]*`/g, '<str>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  [/[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, '<email>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Hex ids (hashes, object ids, random suffixes): 6+ hex characters with a digit and a letter.
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<hex>'],
  // Long tokens (API keys, base64url, session ids): 16+ word characters with a digit and a letter.
  [/\b(?=[\w-]*\d)(?=[\w-]*[a-z])[\w-]{16,}\b/gi, '<token>'],
  [/\d+(?:\.\d+)?/g, '<n>'],
];

/**
 * A message with what varies from one failure to the next replaced by a
 * placeholder, and its whitespace collapsed.
 * @example normaliseMessage('Timeout after 5000 ms for "user 42"') // 'Timeout after <n> ms for <str>'
 * @example normaliseMessage('No row 019a885b-230f-7479-bb63-56f68f970aa1 for bob@example.com') // 'No row <uuid> for <email>'
 */
export function normaliseMessage(message: string): string {
  let out = message.slice(0, readChars);
  for (const [pattern, placeholder] of variableParts) out = out.replace(pattern, placeholder);
  return out.replace(/\s+/g, ' ').trim().slice(0, sampleChars);
}

/**
 * The first frame of a V8 stack in the app's own code, not in node_modules or
 * Node's internals, as `function (path)` without line and column, the path
 * from its `src/` (or `.next/`) folder on, so it is the same on every machine
 * and every deploy that did not move the code. Null when there is none.
 * @example appFrame('Error: x\n    at f (node:internal/a:1:2)\n    at SendEmail.perform (/app/src/jobs/send-email.ts:12:5)') // 'SendEmail.perform (src/jobs/send-email.ts)'
 */
export function appFrame(stack: string | null | undefined): string | null {
  if (!stack) return null;
  for (const line of stack.split('\n').slice(0, framesRead)) {
    const at = /^\s+at (?:async )?(.*)$/.exec(line)?.[1];
    if (!at) continue;
    const call = /^(.*?) \((.*)\)$/.exec(at);
    const [fn, location] = call ? [call[1], call[2]] : ['', at];
    const path = appPath(location);
    if (path) return fn ? `${fn} (${path})` : path;
  }
  return null;
}

/**
 * The job system's own folders: a frame there (its executor raising a
 * timeout, its store) says nothing about which job code failed, and would put
 * every job's timeouts in one group with a frame no user wrote.
 */
const systemFrame = /^src\/(lib\/jobs|core|store|db|worker|cron)\//;

/** A frame's location as a stable path in the app, or null for a frame outside it or in the job system itself. */
function appPath(location: string): string | null {
  const file = location.replace(/\\/g, '/').replace(/^file:\/\//, '').replace(/(:\d+)+$/, '').replace(/\?.*$/, '');
  if (file.includes('/node_modules/') || file.includes('<anonymous>') || /^(node:|internal\/|native$)/.test(file)) return null;
  const from = Math.max(file.lastIndexOf('/src/'), file.lastIndexOf('/.next/'));
  const tail = from >= 0 ? file.slice(from + 1) : file.slice(file.lastIndexOf('/') + 1);
  if (systemFrame.test(tail)) return null;
  // Bundled chunk names carry content hashes; strip them like a message's ids.
  return tail ? normaliseMessage(tail) : null;
}

/**
 * The fingerprint of one failure.
 * @example fingerprintOf('TimeoutError', 'Timeout after 5000 ms', stack).message // 'Timeout after <n> ms'
 */
export function fingerprintOf(errorName: string, message: string, stack?: string | null): Fingerprint {
  const name = errorName.trim() || 'Error';
  const normalised = normaliseMessage(message);
  const frame = appFrame(stack);
  const fingerprint = createHash('sha256').update(`${name}\n${normalised}\n${frame ?? ''}`).digest('hex').slice(0, 16);
  return { fingerprint, errorName: name, message: normalised, frame };
}
