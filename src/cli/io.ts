/** Where a command writes; tests pass their own. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  /** Rewrites the current terminal line (progress bars); a plain line when not a terminal. */
  status(text: string): void;
  isTTY: boolean;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
  status: (text) => (process.stdout.isTTY ? process.stdout.write(`\r\x1b[2K${text}`) : process.stdout.write(`${text}\n`)),
  isTTY: Boolean(process.stdout.isTTY),
};

export type Command = {
  summary: string;
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
};
