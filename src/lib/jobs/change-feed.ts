import fs from 'node:fs';
import path from 'node:path';
import { defaults } from '../../config/defaults';
import { getConfig } from '../../config/env';
import type { Engine } from '../../db/engine';
import type { JobEventRow } from '../../db/schema';
import { changeFeedBounds, readChanges } from '../../store/changes';

/**
 * One reader of the change feed per process, shared by every open stream:
 * however many browsers listen, the table is read once per wake-up. Jobs
 * change in other processes (workers, possibly on other machines), so the
 * feed reads the database, never in-process events. On a local file it wakes
 * when the file's WAL is written (inotify: the writers pay nothing, and every
 * writer counts, the CLI included) and polls as a fallback; on a remote
 * database it polls. It runs only while something listens.
 */

export type ChangeListener = (changes: readonly JobEventRow[]) => void;

export interface ChangeSubscription {
  /** The newest change already read when it subscribed: it is told of every change after this one. */
  readonly head: number;
  unsubscribe(): void;
}

class ChangeFeed {
  private readonly listeners = new Set<ChangeListener>();
  private head = 0;
  private starting: Promise<void> | null = null;
  private watcher: fs.FSWatcher | null = null;
  private poller: NodeJS.Timeout | null = null;
  private wakeTimer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private readAgain = false;

  constructor(private readonly engine: Engine) {}

  async subscribe(listener: ChangeListener): Promise<ChangeSubscription> {
    if (this.listeners.size === 0 && !this.starting) this.starting = this.start();
    this.listeners.add(listener);
    try {
      await this.starting;
      await this.reading; // so `head` is a change every listener was told of
    } catch (error) {
      this.drop(listener);
      throw error;
    }
    return { head: this.head, unsubscribe: () => this.drop(listener) };
  }

  /** Open listeners and whether the feed holds a watcher or a timer: what a closed stream must give back. */
  usage(): { listeners: number; watching: boolean; polling: boolean } {
    return { listeners: this.listeners.size, watching: this.watcher !== null, polling: this.poller !== null };
  }

  private drop(listener: ChangeListener): void {
    this.listeners.delete(listener);
    if (this.listeners.size === 0) this.stop();
  }

  private async start(): Promise<void> {
    try {
      this.head = (await changeFeedBounds(this.engine)).newest;
    } finally {
      this.starting = null;
    }
    if (this.listeners.size === 0) return;
    const pollMs = this.engine.kind === 'file' ? defaults.changeFeedFilePollMs : getConfig().pollIntervalMs;
    this.poller = setInterval(() => this.wake(0), pollMs);
    this.poller.unref();
    if (this.engine.kind === 'file') this.watcher = watchWal(this.engine.location, () => this.wake(defaults.changeFeedWakeDelayMs));
  }

  private stop(): void {
    this.watcher?.close();
    this.watcher = null;
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  /** A burst of commits costs one read: wake-ups within `delayMs` of each other share it. */
  private wake(delayMs: number): void {
    if (this.wakeTimer || this.listeners.size === 0) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.read();
    }, delayMs);
    this.wakeTimer.unref();
  }

  private read(): Promise<void> {
    if (this.reading) {
      this.readAgain = true;
      return this.reading;
    }
    this.reading = (async () => {
      try {
        do {
          this.readAgain = false;
          for (;;) {
            const changes = await readChanges(this.engine, this.head, defaults.changeFeedPageSize);
            if (changes.length === 0) break;
            this.head = changes[changes.length - 1].id;
            for (const listener of this.listeners) listener(changes);
            if (changes.length < defaults.changeFeedPageSize) break;
          }
        } while (this.readAgain && this.listeners.size > 0);
      } catch (error) {
        // The next wake-up or poll reads again from the same place: nothing is skipped.
        console.error('[events] reading the change feed failed:', error instanceof Error ? error.message : error);
      } finally {
        this.reading = null;
      }
    })();
    return this.reading;
  }
}

/** Calls `onWrite` when the database's WAL is written; null where the folder cannot be watched (the poll still runs). */
function watchWal(databaseFile: string, onWrite: () => void): fs.FSWatcher | null {
  const wal = `${path.basename(databaseFile)}-wal`;
  try {
    // The folder, not the file: the WAL is deleted and made again as connections come and go.
    const watcher = fs.watch(path.dirname(databaseFile), { persistent: false }, (_event, file) => {
      if (file === wal) onWrite();
    });
    watcher.on('error', () => watcher.close());
    return watcher;
  } catch {
    return null;
  }
}

const holder = globalThis as unknown as { __fluentJobsChangeFeed?: { engine: Engine; feed: ChangeFeed } };

/** The process's change feed over `engine` (one per process, as the engine is). */
export function changeFeed(engine: Engine): ChangeFeed {
  if (holder.__fluentJobsChangeFeed?.engine !== engine) holder.__fluentJobsChangeFeed = { engine, feed: new ChangeFeed(engine) };
  return holder.__fluentJobsChangeFeed.feed;
}

export type { ChangeFeed };
