import { jobStates, type JobState } from '@/core/states';

/** How many jobs are in each state, as a row of badges. */
export function StateCounts({ counts }: { counts: Record<JobState, number> }) {
  return (
    <ul className="counts" data-testid="state-counts">
      {jobStates.map((state) => (
        <li key={state} data-testid={`count-${state}`} data-count={counts[state]}>
          <span className={`badge state-${state}`}>{state}</span>
          <span className="count">{counts[state]}</span>
        </li>
      ))}
    </ul>
  );
}
