// A stand-in for the worker or the poller: loads "the code" (a file) at start and runs until SIGTERM.
// It crashes at start, as a worker does on a syntax error, when the file says "broken".
import fs from 'node:fs';

const code = fs.readFileSync(process.argv[2], 'utf8').trim();
if (code === 'broken') {
  console.error('cannot load: broken');
  process.exit(1);
}
console.log(`pid ${process.pid} loaded ${code}`);
process.on('SIGTERM', () => process.exit(0));
setInterval(() => {}, 60_000);
