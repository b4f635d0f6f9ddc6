'use client';

import { useRouter } from 'next/navigation';
import { useEffect } from 'react';

/**
 * Re-renders the page's server components every `everyMs` (default 1000 ms)
 * while the tab is visible, so job states update live. Client state (the
 * form's values and its last answer) survives a refresh.
 */
export function LiveRefresh({ everyMs = 1_000 }: { everyMs?: number }) {
  const router = useRouter();
  useEffect(() => {
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') router.refresh();
    }, everyMs);
    return () => clearInterval(timer);
  }, [router, everyMs]);
  return (
    <span className="live" title={`Refreshes every ${everyMs / 1000} s`}>
      live
    </span>
  );
}
