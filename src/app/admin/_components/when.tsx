import { relative } from '../_lib/format';

/** A moment as "5s ago" / "in 2m 0s", with the exact ISO time in its title; a dash for none. */
export function When({ at, now }: { at: number | string | null; now: number }) {
  if (at === null) return <span aria-label="never">–</span>;
  const ms = typeof at === 'string' ? Date.parse(at) : at;
  const iso = new Date(ms).toISOString();
  return (
    <time dateTime={iso} title={iso}>
      {relative(ms, now)}
    </time>
  );
}
