import styles from '../admin.module.css';

type Tone = 'ok' | 'bad' | 'run' | 'wait' | 'idle';

const tones: Record<string, Tone> = {
  completed: 'ok', failed: 'bad', running: 'run', cancelled: 'idle', pending: 'wait',
  ready: 'wait', scheduled: 'idle', retrying: 'wait', blocked: 'wait', paused: 'wait', throttled: 'wait',
  alive: 'ok', dead: 'bad', stopped: 'idle',
  enabled: 'ok', disabled: 'idle',
  // attempt outcomes besides the states
  timed_out: 'bad', lost: 'bad', interrupted: 'wait',
};

/** A state or label as coloured text: the colour helps, the word says it. */
export function StateLabel({ label, title }: { label: string; title?: string }) {
  return (
    <span className={styles.label} data-tone={tones[label] ?? 'idle'} data-testid="state-label" title={title}>
      {label}
    </span>
  );
}
