/** Next.js calls this once when a server starts: the web process's log is set up before the first request. */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return; // the edge runtime has no process streams
  const { setupWebLog } = await import('./server/web-log');
  setupWebLog();
}
