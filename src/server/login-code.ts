import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { defaults } from '../config/defaults';
import { constantTimeEqual } from './tokens';

/**
 * The one-time login code that `npm start` prints (in /login?code=...) and
 * the web process accepts once. They are different processes, so the code
 * travels through the data folder, and only as its SHA-256: the file alone
 * does not log anyone in.
 */
const codeFile = (dir: string) => path.join(dir, 'login-code');
const hashOf = (code: string) => crypto.createHash('sha256').update(code).digest('hex');

interface StoredCode {
  sha256: string;
  expiresAt: number;
}

/** Makes a new code (replacing any earlier one), stores its hash (mode 0600) and returns it. */
export function issueLoginCode(dir: string, now: number, maxAgeMs: number = defaults.loginCodeMaxAgeMs): string {
  const code = crypto.randomBytes(24).toString('base64url');
  const stored: StoredCode = { sha256: hashOf(code), expiresAt: now + maxAgeMs };
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const temp = `${codeFile(dir)}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(stored), { mode: 0o600 });
  fs.renameSync(temp, codeFile(dir)); // atomic: a reader sees the old code or the new one
  return code;
}

export type CodeCheck = 'ok' | 'wrong' | 'used' | 'expired';

/**
 * Accepts the code once. A wrong code leaves the stored one in place (a guess
 * must not lock its owner out); the right one is deleted, and of two requests
 * racing with it only the one whose delete succeeds gets 'ok'.
 */
export function consumeLoginCode(dir: string, code: string, now: number): CodeCheck {
  let stored: StoredCode;
  try {
    stored = JSON.parse(fs.readFileSync(codeFile(dir), 'utf8')) as StoredCode;
  } catch {
    return 'used'; // none pending: used already, or never made
  }
  if (!constantTimeEqual(hashOf(code), String(stored.sha256))) return 'wrong';
  try {
    fs.unlinkSync(codeFile(dir));
  } catch {
    return 'used'; // another request consumed it a moment ago
  }
  return now < stored.expiresAt ? 'ok' : 'expired';
}
