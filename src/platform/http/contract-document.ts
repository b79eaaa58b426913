import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The bundled contract (`npm run generate` writes it from openapi/). */
export const CONTRACT_PATH = resolve(__dirname, '../../../generated/openapi.json');

let loaded: Readonly<Record<string, any>> | undefined;

/**
 * The bundled contract as JSON, read once per process. Treat it as read-only: a module that
 * serves a variant of it (the CRM's per-tenant contract) works on a copy.
 */
export function contractDocument(): Readonly<Record<string, any>> {
  loaded ??= JSON.parse(readFileSync(CONTRACT_PATH, 'utf8')) as Record<string, any>;
  return loaded;
}
