import { z } from 'zod';
import type { ParamSchema } from './types';

/** One param a job takes, as a person reads it: `steps` integer, 0 to 10000, default 10. */
export interface ParamDescription {
  name: string;
  type: string;
  required: boolean;
  /** The default, as JSON text; null when there is none. */
  defaultJson: string | null;
  /** Limits and notes from the schema ("0 to 10000", "at most 1000 characters", its .describe() text); may be empty. */
  notes: string[];
}

/** What a job's schema says about its params: each named param, or why they cannot be listed. */
export type ParamsDescription =
  | { kind: 'none' }
  | { kind: 'object'; params: ParamDescription[]; extraAllowed: boolean }
  | { kind: 'opaque'; text: string };

type JsonSchema = {
  type?: string | string[]; properties?: Record<string, JsonSchema>; required?: string[]; default?: unknown;
  minimum?: number; maximum?: number; minLength?: number; maxLength?: number; enum?: unknown[]; const?: unknown;
  anyOf?: JsonSchema[]; items?: JsonSchema; format?: string; description?: string; additionalProperties?: unknown;
};

/**
 * The params of a job class, read from its zod schema (through zod's JSON
 * Schema export, the input side, so defaults count as optional); a schema
 * that is not zod, or that zod cannot export, is described as checked by code.
 */
export function describeParams(schema: ParamSchema | undefined): ParamsDescription {
  if (!schema) return { kind: 'none' };
  if (!(schema instanceof z.ZodType)) return { kind: 'opaque', text: 'checked by the job\'s own schema' };
  let json: JsonSchema;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  } catch {
    return { kind: 'opaque', text: 'checked by the job\'s zod schema' };
  }
  if (json.type !== 'object' || !json.properties) return { kind: 'opaque', text: typeText(json) };
  const required = new Set(json.required ?? []);
  const params = Object.entries(json.properties).map(([name, property]) => ({
    name,
    type: typeText(property),
    required: required.has(name),
    defaultJson: property.default === undefined ? null : JSON.stringify(property.default),
    notes: notesOf(property),
  }));
  return { kind: 'object', params, extraAllowed: json.additionalProperties !== false };
}

/** One line per param, for a terminal or a title: `steps?: integer 0 to 10000, default 10`. */
export function paramsText(description: ParamsDescription): string {
  if (description.kind === 'none') return 'any JSON (no schema)';
  if (description.kind === 'opaque') return description.text;
  if (description.params.length === 0) return 'none';
  return description.params.map((p) => {
    const extras = [...p.notes, ...(p.defaultJson === null ? [] : [`default ${p.defaultJson}`])];
    return `${p.name}${p.required ? '' : '?'}: ${p.type}${extras.length ? ` (${extras.join(', ')})` : ''}`;
  }).join('\n');
}

function typeText(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join(' | ');
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return [...new Set(s.anyOf.map(typeText))].join(' | ');
  if (s.type === 'array') return `${s.items ? typeText(s.items) : 'any'}[]`;
  if (Array.isArray(s.type)) return s.type.join(' | ');
  return s.format ? `${s.type ?? 'any'} (${s.format})` : (s.type ?? 'any');
}

function notesOf(s: JsonSchema): string[] {
  const notes: string[] = [];
  const safe = (n: number) => Math.abs(n) < Number.MAX_SAFE_INTEGER;
  const min = s.minimum !== undefined && safe(s.minimum) ? s.minimum : undefined;
  const max = s.maximum !== undefined && safe(s.maximum) ? s.maximum : undefined;
  if (min !== undefined && max !== undefined) notes.push(`${min} to ${max}`);
  else if (min !== undefined) notes.push(`at least ${min}`);
  else if (max !== undefined) notes.push(`at most ${max}`);
  if (s.minLength === 1) notes.push('not empty');
  else if (s.minLength !== undefined && s.minLength > 1) notes.push(`at least ${s.minLength} characters`);
  if (s.maxLength !== undefined) notes.push(`at most ${s.maxLength} characters`);
  if (s.description) notes.push(s.description);
  return notes;
}
