import { JobsError } from '@/core/errors';

/**
 * A form's params box: empty is {}, otherwise a JSON object, else an
 * invalid_params error the form shows beside itself.
 * @example readParamsJson(' ') // {}
 */
export function readParamsJson(text: string | undefined): Record<string, unknown> {
  if (!text || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new JobsError('invalid_params', `Params are not JSON: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new JobsError('invalid_params', 'Params must be a JSON object, such as {"steps": 3}');
  return value as Record<string, unknown>;
}
