// Loaded first (`node --import`) by every process `npm start` runs, the supervisor included: when the
// process's parent is gone (killed with SIGKILL, say), the process sends itself SIGTERM and so stops the
// way it stops on `kill`: the worker finishes its running jobs, the web server frees its port.
// An orphan gets a new parent (init or a subreaper), which a parent-PID check sees; a write to the dead
// parent's pipe (EPIPE) sees it sooner. Plain JavaScript, so that next-server loads it without tsx.

/** How often (ms) the parent PID is compared. */
const checkEveryMs = 500;

// The supervisor names itself, in case it died before this file ran; the variable is not passed on to
// whatever this process starts (next dev's server process has its own parent to watch).
const parentPid = Number(process.env.FLUENT_JOBS_PARENT_PID) || process.ppid;
delete process.env.FLUENT_JOBS_PARENT_PID;

let gone = false;
function stopBecause(why) {
  if (gone) return;
  gone = true;
  clearInterval(timer);
  try {
    process.stderr.write(`parent process ${parentPid} is gone (${why}): stopping\n`);
  } catch {
    // nobody reads our output any more
  }
  process.kill(process.pid, 'SIGTERM');
}

const timer = setInterval(() => {
  if (process.ppid !== parentPid) stopBecause(`the parent is now ${process.ppid}`);
}, checkEveryMs);
timer.unref();

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    stopBecause('its output pipe closed');
  });
}

if (process.ppid !== parentPid) stopBecause(`the parent is now ${process.ppid}`);
