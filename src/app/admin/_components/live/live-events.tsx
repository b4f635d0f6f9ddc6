'use client';

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { JobChangeJson, JobChangeType } from '@/lib/jobs/json';

/** Where the stream is: open, reconnecting after a drop, paused because the tab is hidden, or not started. */
export type LiveStatus = 'connecting' | 'live' | 'reconnecting' | 'paused';

type Listener = (changes: JobChangeJson[]) => void;

/** The one stream of a tab, shared by every live part of the page. */
class LiveHub {
  private readonly all = new Set<Listener>();
  private readonly byJob = new Map<string, Set<Listener>>();
  private readonly resets = new Set<() => void>();
  private pending: JobChangeJson[] = [];
  private flushTimer: ReturnType<typeof setTimeout> | null = null;

  subscribe(listener: Listener, jobId?: string): () => void {
    if (jobId === undefined) {
      this.all.add(listener);
      return () => this.all.delete(listener);
    }
    const set = this.byJob.get(jobId) ?? new Set<Listener>();
    set.add(listener);
    this.byJob.set(jobId, set);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byJob.delete(jobId);
    };
  }

  onReset(listener: () => void): () => void {
    this.resets.add(listener);
    return () => this.resets.delete(listener);
  }

  /**
   * Changes are handed on in runs, at most every 200 ms: a worker finishing
   * hundreds of jobs a second updates each cell once per run, not per change.
   */
  push(change: JobChangeJson): void {
    this.pending.push(change);
    this.flushTimer ??= setTimeout(() => this.flush(), 200);
  }

  reset(): void {
    for (const listener of this.resets) listener();
  }

  private flush(): void {
    this.flushTimer = null;
    const run = this.pending;
    this.pending = [];
    for (const listener of this.all) listener(run);
    const perJob = new Map<string, JobChangeJson[]>();
    for (const change of run) {
      if (this.byJob.has(change.job.id)) perJob.set(change.job.id, [...(perJob.get(change.job.id) ?? []), change]);
    }
    for (const [id, changes] of perJob) for (const listener of this.byJob.get(id) ?? []) listener(changes);
  }
}

const changeTypes: JobChangeType[] = [
  'job.enqueued', 'job.scheduled', 'job.started', 'job.progress', 'job.completed', 'job.failed', 'job.retrying', 'job.cancelled', 'job.changed',
];

const HubContext = createContext<{ hub: LiveHub; status: LiveStatus } | null>(null);

/**
 * Opens one EventSource on /api/events for the whole admin page and shares it.
 * While the tab is hidden the stream is closed (no server work for a page
 * nobody looks at); when it shows again the stream resumes after the last
 * change it saw, so nothing is missed, or, past a gap the feed no longer
 * keeps, the parts that listen for a reset read afresh.
 */
export function LiveEvents({ children }: { children: ReactNode }) {
  const hub = useRef(new LiveHub()).current;
  const [status, setStatus] = useState<LiveStatus>('connecting');

  useEffect(() => {
    let source: EventSource | null = null;
    let lastSeq: string | null = null;
    const open = () => {
      if (source) return;
      const url = lastSeq === null ? '/api/events' : `/api/events?lastEventId=${encodeURIComponent(lastSeq)}`;
      const stream = new EventSource(url);
      source = stream;
      setStatus('connecting');
      stream.onopen = () => setStatus('live');
      stream.onerror = () => setStatus(stream.readyState === EventSource.CLOSED ? 'paused' : 'reconnecting');
      const remember = (event: MessageEvent) => {
        if (event.lastEventId) lastSeq = event.lastEventId;
      };
      stream.addEventListener('ready', (event) => {
        remember(event as MessageEvent);
        setStatus('live');
      });
      stream.addEventListener('reset', (event) => {
        remember(event as MessageEvent);
        hub.reset();
      });
      for (const type of changeTypes) {
        stream.addEventListener(type, (event) => {
          const message = event as MessageEvent<string>;
          remember(message);
          try {
            hub.push(JSON.parse(message.data) as JobChangeJson);
          } catch {
            // a message cut short by a dropped connection: the resume sends it again
          }
        });
      }
    };
    const close = () => {
      source?.close();
      source = null;
      setStatus('paused');
    };
    const onVisibility = () => (document.visibilityState === 'hidden' ? close() : open());
    if (document.visibilityState !== 'hidden') open();
    else setStatus('paused');
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      document.removeEventListener('visibilitychange', onVisibility);
      source?.close();
      source = null;
    };
  }, [hub]);

  return <HubContext.Provider value={{ hub, status }}>{children}</HubContext.Provider>;
}

function useHub(): { hub: LiveHub; status: LiveStatus } | null {
  return useContext(HubContext);
}

/** The stream's status, for the indicator in the header. */
export function useLiveStatus(): LiveStatus {
  return useHub()?.status ?? 'paused';
}

/**
 * Calls `listener` with each run of changes (of one job, if `jobId` is given).
 * The listener may change between renders without resubscribing.
 */
export function useJobChanges(listener: Listener, jobId?: string): void {
  const hub = useHub()?.hub;
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub?.subscribe((changes) => latest.current(changes), jobId), [hub, jobId]);
}

/** Calls `listener` when the stream had to skip changes it no longer keeps: what was built from them is stale. */
export function useLiveReset(listener: () => void): void {
  const hub = useHub()?.hub;
  const latest = useRef(listener);
  latest.current = listener;
  useEffect(() => hub?.onReset(() => latest.current()), [hub]);
}

/**
 * A number that goes up when changes arrived (those `matches` accepts), at
 * most once per `everyMs`, and on a reset: for parts that read a summary
 * again (counts, charts) rather than follow each change.
 */
export function useChangeTick(everyMs = 2_000, matches: (change: JobChangeJson) => boolean = () => true): number {
  const [tick, setTick] = useState(0);
  const state = useRef({ due: false, timer: null as ReturnType<typeof setTimeout> | null, lastAt: 0 });
  const matcher = useRef(matches);
  matcher.current = matches;
  const bump = () => {
    const s = state.current;
    if (s.timer) {
      s.due = true;
      return;
    }
    const wait = Math.max(0, s.lastAt + everyMs - Date.now());
    s.timer = setTimeout(() => {
      s.timer = null;
      s.lastAt = Date.now();
      setTick((t) => t + 1);
      if (s.due) {
        s.due = false;
        bump();
      }
    }, wait);
  };
  useJobChanges((changes) => {
    if (changes.some((change) => matcher.current(change))) bump();
  });
  useLiveReset(bump);
  useEffect(() => () => {
    if (state.current.timer) clearTimeout(state.current.timer);
  }, []);
  return tick;
}
