import fs from 'node:fs';
import path from 'node:path';

/** One instruction of a Dockerfile, its continuation lines joined and comment lines left out. */
export interface Instruction {
  keyword: string;
  args: string;
  /** 1-based line where it starts, for messages. */
  line: number;
}

export interface Stage {
  /** The FROM line's image. */
  image: string;
  /** Its `AS` name, if any. */
  name?: string;
  instructions: Instruction[];
}

/** The stages of a Dockerfile, in order: each FROM starts one. Enough of the syntax for our Dockerfile, not a general parser. */
export function parseDockerfile(text: string): Stage[] {
  const instructions: Instruction[] = [];
  let pending: { text: string; line: number } | null = null;
  text.split('\n').forEach((raw, index) => {
    const trimmed = raw.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && !pending)) return; // comments may sit inside a continuation too
    const continues = trimmed.endsWith('\\');
    const part = continues ? trimmed.slice(0, -1).trim() : trimmed;
    pending = pending ? { text: `${pending.text} ${part}`, line: pending.line } : { text: part, line: index + 1 };
    if (continues) return;
    const [keyword, ...rest] = pending.text.split(/\s+/);
    instructions.push({ keyword: keyword.toUpperCase(), args: rest.join(' '), line: pending.line });
    pending = null;
  });
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/).filter((word) => !word.startsWith('--platform'));
      stages.push({ image, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

/** The instruction's arguments as an exec-form array (`["node", "x"]`), or null when it is in shell form. */
export function execForm(args: string): string[] | null {
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((word) => typeof word === 'string') ? parsed : null;
  } catch {
    return null;
  }
}

/** A COPY's flags (`--from=build` -> { from: 'build' }) and its sources and destination. */
export function parseCopy(args: string): { flags: Record<string, string>; sources: string[]; destination: string } {
  const words = args.split(/\s+/);
  const flags = Object.fromEntries(words.filter((w) => w.startsWith('--')).map((w) => {
    const [key, value = ''] = w.slice(2).split('=');
    return [key, value];
  }));
  const paths = words.filter((w) => !w.startsWith('--'));
  return { flags, sources: paths.slice(0, -1), destination: paths[paths.length - 1] };
}

/** The variables an `ENV a=1 b=2` instruction sets (the key=value form only). */
export function parseEnv(args: string): Record<string, string> {
  return Object.fromEntries(args.split(/\s+/).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new Error(`ENV ${args}: only the key=value form is understood here`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  }));
}

/** The last instruction of `keyword` in the stage. */
export function lastOf(stage: Stage, keyword: string): Instruction | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1);
}

export function readDockerfile(root: string): Stage[] {
  return parseDockerfile(fs.readFileSync(path.join(root, 'Dockerfile'), 'utf8'));
}
