import chalk from 'chalk';
import Table from 'cli-table3';
import type { RestoreResult } from '../lib/backup/restore-backup';
import { success, tableStyle } from './format';

/** `bin/jobs restore` for people, from the same RestoreResult that --json prints (format.ts's part for restores, kept apart by size). */

/** @example byteSize(1536) // '1.5 KiB' */
export function byteSize(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export function renderRestore(result: RestoreResult): string {
  const lines = [
    `${success('restored')} ${result.file}${result.encrypted ? ' (encrypted)' : ''} to ${result.to} (${byteSize(result.bytes)})`,
    result.previous ? `the file that was there is kept as ${result.previous}` : null,
    `integrity_check: ${chalk.green(result.integrity)}`,
    `schema: ${result.schemaProblem === null ? 'current' : chalk.yellow(`${result.schemaProblem.replace(/^the database schema is not current: /, '')} (each process applies them when it starts, or run bin/jobs migrate)`)}`,
  ].filter((line): line is string => line !== null);
  // No rule between rows: a list of 17 tables reads better without.
  const table = new Table({
    head: ['table', 'rows'], style: tableStyle(), colAligns: ['left', 'right'],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const [name, rows] of Object.entries(result.tables)) table.push([name, rows]);
  return `${lines.join('\n')}\n${table.toString()}`;
}
