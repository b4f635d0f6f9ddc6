import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * Cross-process wake-up for workers on the same machine as a database file.
 * Each idle-capable worker listens on a unix socket in a folder named after
 * the file; whoever commits new work writes one byte to every socket there.
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

/** Kept short and in the temp folder: unix socket paths are limited to 107 bytes. */
export function doorbellDir(databaseFile: string): string {
  const hash = crypto.createHash('sha1').update(databaseFile).digest('hex').slice(0, 12);
  return path.join(os.tmpdir(), `fluent-jobs-${hash}`);
}

export interface DoorbellListener {
  close(): Promise<void>;
}

/** Listens for rings; `onRing` may be called once for several rings, with every kind they announced. */
export async function listenDoorbell(databaseFile: string, name: string, onRing: (kinds: Set<RingKind>) => void): Promise<DoorbellListener> {
  const dir = doorbellDir(databaseFile);
  fs.mkdirSync(dir, { recursive: true });
  const socketPath = path.join(dir, `${name}.sock`);
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
    async close() {
      for (const socket of clients) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}

class Ringer {
  private readonly pending = new Set<RingKind>();
  private readonly connections = new Map<string, net.Socket>();
  constructor(private readonly dir: string) {}

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
    let files: string[];
    try {
      files = fs.readdirSync(this.dir).filter((f) => f.endsWith('.sock'));
    } catch {
      return; // no worker has listened yet
    }
    for (const [file, socket] of this.connections) {
      if (!files.includes(file)) {
        socket.destroy();
        this.connections.delete(file);
      }
    }
    for (const file of files) {
      const socket = this.connections.get(file) ?? this.connect(file);
      if (socket.writable || socket.connecting) socket.write(message);
    }
  }

  private connect(file: string): net.Socket {
    const socketPath = path.join(this.dir, file);
    const socket = net.createConnection(socketPath);
    socket.unref();
    socket.on('error', (error: NodeJS.ErrnoException) => {
      this.connections.delete(file);
      socket.destroy();
      // Nobody listens there: its worker died without cleaning up (kill -9).
      if (error.code === 'ECONNREFUSED') fs.rmSync(socketPath, { force: true });
    });
    socket.on('close', () => {
      if (this.connections.get(file) === socket) this.connections.delete(file);
    });
    this.connections.set(file, socket);
    return socket;
  }
}

const ringers = new Map<string, Ringer>();

/** Tells every worker and poller listening on this database file what changed. */
export function ringDoorbell(databaseFile: string, kind: RingKind): void {
  let ringer = ringers.get(databaseFile);
  if (!ringer) {
    ringer = new Ringer(doorbellDir(databaseFile));
    ringers.set(databaseFile, ringer);
  }
  ringer.ring(kind);
}
