'use client';

import { useLiveStatus, type LiveStatus } from './live-events';
import styles from '../../admin.module.css';

const words: Record<LiveStatus, { text: string; title: string }> = {
  live: { text: 'live', title: 'Changes made by any worker show as they happen' },
  connecting: { text: 'connecting…', title: 'Opening the live stream' },
  reconnecting: { text: 'reconnecting…', title: 'The live stream dropped; it resumes where it stopped, missing nothing' },
  paused: { text: 'paused', title: 'The live stream pauses while this tab is hidden, and resumes when it shows' },
};

/** Whether the page is following changes right now. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span className={styles.liveStatus} data-status={status} data-testid="live-status" title={words[status].title} role="status">
      {words[status].text}
    </span>
  );
}
