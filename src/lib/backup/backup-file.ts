import crypto from 'node:crypto';
import fs from 'node:fs';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { JobsError } from '../../core/errors';

/**
 * A backup file is the database copy gzipped (so `gunzip` reads a plain one),
 * or, with a key (JOBS_BACKUP_KEY), that gzip stream encrypted as follows:
 *
 *   offset  bytes  what
 *   0       8      magic: the ASCII text "FJBACKUP"
 *   8       1      format version: 1
 *   9       8      key id: the first 8 bytes of HMAC-SHA256(key, "fluent-jobs backup key id"),
 *                  so that another key is told apart from a damaged file before decrypting
 *   17      12     IV: 12 random bytes, new for each file
 *   29      n      AES-256-GCM ciphertext of the gzip stream; the 29 bytes above are its
 *                  additional authenticated data, so a changed header fails like changed data
 *   29 + n  16     the GCM authentication tag
 */
export const backupMagic = Buffer.from('FJBACKUP', 'ascii');
export const backupFormatVersion = 1;
const keyIdBytes = 8;
const ivBytes = 12;
const tagBytes = 16;
export const encryptedHeaderBytes = backupMagic.length + 1 + keyIdBytes + ivBytes;
const gzipMagic = Buffer.from([0x1f, 0x8b]);

/** What a file holds, by its first bytes. */
export type BackupFileKind = 'gzip' | 'encrypted' | 'unknown';

/** The key's id as stored in an encrypted backup's header. */
export function backupKeyId(key: Buffer): Buffer {
  return crypto.createHmac('sha256', key).update('fluent-jobs backup key id').digest().subarray(0, keyIdBytes);
}

/**
 * Writes `source` (a database file) compressed, and encrypted if a key is
 * given, as the new file `target` (mode 0600; it must not exist), streamed so
 * memory stays flat whatever the size, and synced to disk. Resolves with the
 * bytes written.
 */
export async function writeBackupFile(source: string, target: string, key?: Buffer): Promise<number> {
  let encrypt: ((gzipped: AsyncIterable<Buffer>) => AsyncGenerator<Buffer>) | null = null;
  if (key) {
    const header = Buffer.concat([backupMagic, Buffer.from([backupFormatVersion]), backupKeyId(key), crypto.randomBytes(ivBytes)]);
    const cipher = crypto.createCipheriv('aes-256-gcm', key, header.subarray(header.length - ivBytes), { authTagLength: tagBytes });
    cipher.setAAD(header);
    encrypt = async function* (gzipped) {
      yield header;
      for await (const chunk of gzipped) yield cipher.update(chunk);
      yield cipher.final();
      yield cipher.getAuthTag();
    };
  }
  const out = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 });
  if (encrypt) await pipeline(fs.createReadStream(source), zlib.createGzip(), encrypt, out);
  else await pipeline(fs.createReadStream(source), zlib.createGzip(), out);
  syncFile(target);
  return fs.statSync(target).size;
}

/** What `file` holds: a plain (gzip) backup, an encrypted one, or neither. */
export function backupFileKind(file: string): BackupFileKind {
  const head = Buffer.alloc(backupMagic.length);
  const fd = fs.openSync(file, 'r');
  try {
    const read = fs.readSync(fd, head, 0, head.length, 0);
    if (read >= gzipMagic.length && head.subarray(0, 2).equals(gzipMagic)) return 'gzip';
    return read === head.length && head.equals(backupMagic) ? 'encrypted' : 'unknown';
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Decodes the backup `file` into the new file `target` (it must not exist):
 * checks and decrypts an encrypted one with `key`, then gunzips. A file that
 * is not a backup, is encrypted with no key or with another key, is cut short
 * or altered, is a bad_file error saying which; `target` may then hold part of
 * the data, and the caller removes it. Resolves with the kind of file read.
 */
export async function readBackupFile(file: string, target: string, key?: Buffer): Promise<BackupFileKind> {
  const kind = backupFileKind(file);
  if (kind === 'unknown') throw new JobsError('bad_file', `${file} is not a Fluent Jobs backup: it is neither gzip nor an encrypted backup (FJBACKUP)`);
  const out = fs.createWriteStream(target, { flags: 'wx', mode: 0o600 });
  try {
    if (kind === 'gzip') {
      await pipeline(fs.createReadStream(file), zlib.createGunzip(), out);
    } else {
      const { body, decipher } = openEncrypted(file, key);
      const decrypt = async function* (encrypted: AsyncIterable<Buffer>) {
        for await (const chunk of encrypted) yield decipher.update(chunk);
        try {
          yield decipher.final();
        } catch {
          throw new JobsError('bad_file', `${file} is damaged or was altered: its authentication tag does not match (the key is right)`);
        }
      };
      await pipeline(fs.createReadStream(file, body), decrypt, zlib.createGunzip(), out);
    }
  } catch (error) {
    out.destroy();
    if (error instanceof JobsError) throw error;
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (code.startsWith('Z_')) {
      throw new JobsError('bad_file', `${file} is damaged: its compressed data does not read back (${(error as Error).message})`);
    }
    throw error;
  }
  syncFile(target);
  return kind;
}

/** The byte range of an encrypted backup's ciphertext and a decipher for it, once its header says the key is the one it was made with. */
function openEncrypted(file: string, key: Buffer | undefined): { body: { start: number; end: number }; decipher: crypto.DecipherGCM } {
  if (!key) throw new JobsError('bad_file', `${file} is encrypted: set JOBS_BACKUP_KEY to the key it was made with`);
  const size = fs.statSync(file).size;
  if (size <= encryptedHeaderBytes + tagBytes) throw new JobsError('bad_file', `${file} is damaged: it is cut short (${size} bytes)`);
  const header = Buffer.alloc(encryptedHeaderBytes);
  const tag = Buffer.alloc(tagBytes);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, header.length, 0);
    fs.readSync(fd, tag, 0, tag.length, size - tagBytes);
  } finally {
    fs.closeSync(fd);
  }
  const version = header[backupMagic.length];
  if (version !== backupFormatVersion) throw new JobsError('bad_file', `${file} is an encrypted backup of format ${version}, which this version of Fluent Jobs cannot read (it reads ${backupFormatVersion})`);
  const keyId = header.subarray(backupMagic.length + 1, backupMagic.length + 1 + keyIdBytes);
  if (!keyId.equals(backupKeyId(key))) throw new JobsError('bad_file', `${file} was encrypted with another key than JOBS_BACKUP_KEY`);
  const decipher = crypto.createDecipheriv('aes-256-gcm', key, header.subarray(header.length - ivBytes), { authTagLength: tagBytes });
  decipher.setAAD(header);
  decipher.setAuthTag(tag);
  // createReadStream's end is inclusive: the last ciphertext byte sits just before the tag.
  return { body: { start: encryptedHeaderBytes, end: size - tagBytes - 1 }, decipher };
}

/** Flushes a file written through a stream to disk, so a rename after it never publishes a file the disk does not hold yet. */
function syncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
