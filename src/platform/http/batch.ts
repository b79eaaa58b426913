import type { AppError } from '../errors';
import type { SchemaCheck } from './contract';
import { HttpProblem, type ProblemBody, problemBody, problemOfAppError } from './problem';

/**
 * Batches whose items succeed or fail alone: the contract types `items` loosely, the handler
 * checks each item against its precise schema here, passes the valid ones on, and reports each
 * failure as the problem the single request would have answered, its fields under
 * `/items/<index>`.
 */
export interface CheckedItems<T> {
  valid: { index: number; item: T }[];
  /** Items that break their schema, by index. */
  invalid: Map<number, ProblemBody>;
}

export function checkItems<T>(items: readonly unknown[], check: SchemaCheck, requestId: string): CheckedItems<T> {
  const valid: { index: number; item: T }[] = [];
  const invalid = new Map<number, ProblemBody>();
  items.forEach((item, index) => {
    const issues = check(item, itemPointer(index));
    if (!issues.length) valid.push({ index, item: item as T });
    else {
      const detail = issues.length === 1 ? `${issues[0].pointer} ${issues[0].detail}.` : `${issues.length} fields are not valid: ${[...new Set(issues.map((i) => i.pointer))].join(', ')}.`;
      invalid.set(index, problemBody(new HttpProblem('validation-error', detail, { errors: issues }), requestId));
    }
  });
  return { valid, invalid };
}

export const itemPointer = (index: number) => `/items/${index}`;

/**
 * The problem an item failed with (an application error: a refused input, a conflict, …),
 * as the pipeline maps the same error for a whole request; fields named under the item.
 */
export function itemProblem(err: AppError, index: number, requestId: string): ProblemBody {
  return problemBody(problemOfAppError(err, itemPointer(index)), requestId);
}
