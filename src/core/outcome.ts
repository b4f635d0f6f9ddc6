/**
 * What running one attempt of a job came to. The executor returns one, never
 * throws; settle maps each kind to exactly one store transition.
 */
export type Outcome =
  | { kind: 'completed'; result: unknown }
  | { kind: 'failed'; error: ErrorInfo; retryable: boolean; /** Asked for by a RetryLaterError: the next try's delay instead of the backoff. */ retryDelayMs?: number }
  | { kind: 'timed_out'; error: ErrorInfo }
  | { kind: 'cancelled'; error: ErrorInfo }
  | { kind: 'interrupted'; error: ErrorInfo }
  | { kind: 'lease_lost' };

export interface ErrorInfo {
  name: string;
  message: string;
  stack?: string;
}

export interface LogLine {
  at: number;
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data?: unknown;
}
