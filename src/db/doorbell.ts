import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Cross-process wake-up for workers on the same machine as a database file.
 * Each idle-capable worker listens on a unix socket in a folder beside the
 * file (see doorbellDirs); whoever commits new work writes one byte to every
 * socket there.
 * Measured at about 0.3 ms from commit to claim (PLATFORM.md), against
 * 5-10 ms for 10 ms polling. Polling stays as the fallback, and is the only
 * wake-up for a remote database, whose writers may be on other machines.
 */

/**
 * What a ring announces, one byte each: new due work, work scheduled for
 * later, changed cron schedules, a running job someone cancelled, or changed
 * queue rate limits.
 */
export type RingKind = 'ready' | 'scheduled' | 'schedules' | 'cancel' | 'limits';
const bytes: Record<RingKind, string> = { ready: '!', scheduled: 's', schedules: 'c', cancel: 'x', limits: 'l' };
const kindOf = new Map(Object.entries(bytes).map(([kind, byte]) => [byte.charCodeAt(0), kind as RingKind]));

/** Linux's limit on a unix socket's path, in bytes (sun_path is 108 with its final NUL). */
const socketPathLimit = 107;
/** A socket name made from a hash: what a listener's own name is shortened to when it would not fit. */
const hashedNameLength = '0123456789abcdef.sock'.length;

const hashOf = (text: string, length: number) => crypto.createHash('sha1').update(text).digest('hex').slice(0, length);
const fits = (socketPath: string) => Buffer.byteLength(socketPath) <= socketPathLimit;

/**
 * The folders where listeners of this database file may have their sockets, in the order a
 * listener tries them. First `<file>-doorbell/` beside the file (as SQLite keeps `-wal` and
 * `-shm`), so that processes sharing the file's folder ring each other even when each has its own
 * temp folder: containers on one host sharing a Docker volume. Then, for a file whose path leaves
 * no room for a socket name within the 107 bytes a unix socket path may have (or a folder where
 * sockets cannot be made), a short folder in this process's temp folder, named by a hash of the
 * file's path: only processes sharing that temp folder (one machine, one container) hear those.
 * Ringers ring both.
 */
export function doorbellDirs(databaseFile: string): string[] {
  const beside = `${databaseFile}-doorbell`;
  const inTemp = path.join(os.tmpdir(), `fluent-jobs-${hashOf(databaseFile, 12)}`);
  return fits(path.join(beside, 'x'.repeat(hashedNameLength))) ? [beside, inTemp] : [inTemp];
}

/** `<name>.sock` in `dir`, or a name hashed from it when the path would be too long for a socket. */
function socketIn(dir: string, name: string): string {
  const named = path.join(dir, `${name}.sock`);
  return fits(named) ? named : path.join(dir, `${hashOf(name, 16)}.sock`);
}

export interface DoorbellListener {
  /** Where the socket is. */
  socketPath: string;
  close(): Promise<void>;
}

/**
 * Listens for rings, on a socket in the first of doorbellDirs() where one can be made; `onRing`
 * may be called once for several rings, with every kind they announced.
 */
export async function listenDoorbell(databaseFile: string, name: string, onRing: (kinds: Set<RingKind>) => void): Promise<DoorbellListener> {
  const dirs = doorbellDirs(databaseFile);
  for (const [i, dir] of dirs.entries()) {
    try {
      return await listenIn(socketIn(dir, name), onRing);
    } catch (error) {
      if (i === dirs.length - 1) throw error; // say, a read-only data folder: the temp folder is tried next
    }
  }
  throw new Error('unreachable: doorbellDirs() names at least one folder');
}

async function listenIn(socketPath: string, onRing: (kinds: Set<RingKind>) => void): Promise<DoorbellListener> {
  fs.mkdirSync(path.dirname(socketPath), { recursive: true });
  fs.rmSync(socketPath, { force: true });
  const clients = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    clients.add(socket);
    socket.on('data', (data: Buffer) => onRing(new Set([...data].map((b) => kindOf.get(b) ?? 'ready'))));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => clients.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve());
  });
  server.unref();
  return {
    socketPath,
    async close() {
      for (const socket of clients) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}

class Ringer {
  private readonly pending = new Set<RingKind>();
  /** Open connections, by socket path. */
  private readonly connections = new Map<string, net.Socket>();
  constructor(private readonly dirs: string[]) {}

  /** Rings once per event-loop turn however many commits asked, so bulk enqueues cost one ring. */
  ring(kind: RingKind): void {
    if (this.pending.size === 0) {
      setImmediate(() => {
        const message = [...this.pending].map((k) => bytes[k]).join('');
        this.pending.clear();
        this.flush(message);
      });
    }
    this.pending.add(kind);
  }

  private flush(message: string): void {
    const sockets = this.dirs.flatMap((dir) => {
      try {
        return fs.readdirSync(dir).filter((f) => f.endsWith('.sock')).map((f) => path.join(dir, f));
      } catch {
        return []; // no worker has listened there yet
      }
    });
    for (const [socketPath, socket] of this.connections) {
      if (!sockets.includes(socketPath)) {
        socket.destroy();
        this.connections.delete(socketPath);
      }
    }
    for (const socketPath of sockets) {
      const socket = this.connections.get(socketPath) ?? this.connect(socketPath);
      if (socket.writable || socket.connecting) socket.write(message);
    }
  }

  private connect(socketPath: string): net.Socket {
    const socket = net.createConnection(socketPath);
    socket.unref();
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.connections.delete(socketPath);
      socket.destroy();
      // Nobody listens there: its worker died without cleaning up (kill -9), or its container is gone.
      if (error.code === 'ECONNREFUSED') fs.rmSync(socketPath, { force: true });
    });
    socket.on('close', () => {
      if (this.connections.get(socketPath) === socket) this.connections.delete(socketPath);
    });
    this.connections.set(socketPath, socket);
    return socket;
  }
}

const ringers = new Map<string, Ringer>();

/** Tells every worker and poller listening on this database file what changed. */
export function ringDoorbell(databaseFile: string, kind: RingKind): void {
  let ringer = ringers.get(databaseFile);
  if (!ringer) {
    ringer = new Ringer(doorbellDirs(databaseFile));
    ringers.set(databaseFile, ringer);
  }
  ringer.ring(kind);
}
