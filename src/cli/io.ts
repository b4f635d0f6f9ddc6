/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites the current terminal line (progress bars); a plain line when not a terminal. */
  status(text: string): void;
  /** Replaces the whole screen with `text` (a --watch view); when not a terminal, each view follows the last after a blank line. */
  redraw(text: string): void;
  isTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  status: (text) => (process.stdout.isTTY ? process.stdout.write(`\r\x1b[2K${text}`) : process.stdout.write(`${text}\n`)),
  redraw: (text) => (process.stdout.isTTY ? process.stdout.write(`\x1b[H\x1b[2J\x1b[3J${text}\n`) : process.stdout.write(`${text}\n\n`)),
  isTTY: Boolean(process.stdout.isTTY),
};

/** What a command does; its help is in command-list.ts. */
export type Command = {
  run(argv: string[], io: CliIo): Promise<number>;
};
