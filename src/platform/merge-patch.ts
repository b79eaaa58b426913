/**
 * JSON Merge Patch (RFC 7396) on plain values: members of `patch` replace those of `target`,
 * `null` removes a member, objects merge member by member, anything else (arrays included)
 * replaces whole. Pure, so the domain may use it (checked by dependency-cruiser).
 */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mergePatch<T>(target: T, patch: unknown): T {
  if (!isObject(patch)) return patch as T;
  const result: Record<string, unknown> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result as T;
}
