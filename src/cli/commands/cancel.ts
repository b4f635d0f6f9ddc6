import { getEngine } from '../../db/client';
import { ringDoorbell } from '../../db/doorbell';
import { cancelJob } from '../../store/admin';
import { resolveDependents } from '../../store/dependencies';
import { resolveJobId } from '../../store/queries';
import { onePositional, parseCommand } from '../args';
import { success } from '../format';
import type { Command } from '../io';
import { appendActivity } from '../../store/activity';

const usage = 'bin/jobs cancel <id-or-prefix> [--json]';

export const cancelCommand: Command = {
  summary: 'cancel a pending job at once, or a running one at its worker\'s next heartbeat',
  usage,
  async run(argv, io) {
    const { values, positionals } = parseCommand(argv, { json: { type: 'boolean' } }, usage);
    const engine = await getEngine();
    const id = await resolveJobId(engine, onePositional(positionals, 'job id or prefix', usage));
    const result = await cancelJob(engine, id, Date.now());
    await appendActivity(engine, { actor: 'cli', action: 'job.cancel', jobIds: [id], details: { result } }, Date.now());
    if (result === 'cancelled') await resolveDependents(engine, { parentIds: [id], now: Date.now() });
    // A running job's worker hears of it now instead of at its next heartbeat.
    if (result === 'cancelling' && engine.kind === 'file') ringDoorbell(engine.location, 'cancel');
    io.out(values.json ? JSON.stringify({ id, result }) : result === 'cancelled' ? `${success('cancelled')} ${id}` : `${success('cancelling')} ${id}: its worker stops it now`);
    return 0;
  },
};
