import { JobsError } from './errors';

/** AES-256 takes a 32-byte key. */
export const backupKeyBytes = 32;

/**
 * The backup encryption key from its text (JOBS_BACKUP_KEY): 32 bytes written
 * as 64 hex digits or as base64 (44 characters with padding, 43 without;
 * base64url too). Anything else is a config error that says what was given,
 * in length only: the value is a secret.
 * @example parseBackupKey('00'.repeat(32)).length // 32
 * @example parseBackupKey(Buffer.alloc(32, 7).toString('base64')).length // 32
 */
export function parseBackupKey(text: string): Buffer {
  const value = text.trim();
  if (value === '') throw badKey('it is empty (leave it unset for backups that are not encrypted)');
  if (/^[0-9a-f]{64}$/i.test(value)) return Buffer.from(value, 'hex');
  if (/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) {
    const key = Buffer.from(value, 'base64');
    if (key.length === backupKeyBytes) return key;
    throw badKey(`it decodes as base64 to ${key.length} bytes`);
  }
  throw badKey(`it is ${value.length} characters that are neither hex nor base64`);
}

function badKey(why: string): JobsError {
  return new JobsError('config', `Invalid configuration: JOBS_BACKUP_KEY must be ${backupKeyBytes} bytes, as 64 hex digits or 44 base64 characters, but ${why}`
    + ' (openssl rand -base64 32 makes one)');
}
