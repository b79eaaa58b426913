import type { HandlerMap } from '../../../platform/http/handler';
import { HttpProblem } from '../../../platform/http/problem';
import { UnusableReferenceError } from '../domain/unusable-reference';

/**
 * The module's handlers, with an UnusableReferenceError answered as a `422` validation problem
 * naming each field (the contract's `erp/responses.yaml#/Unprocessable`). The kernel maps its
 * own errors to problems but has no kind for "well-formed, names what cannot be used", so the
 * ERP answers it here with the kernel's `validation-error` type and status 422.
 */
export function answeringUnusable(handlers: HandlerMap): HandlerMap {
  const wrapped: Record<string, unknown> = {};
  for (const [operationId, handler] of Object.entries(handlers) as [string, (request: unknown) => Promise<unknown>][]) {
    wrapped[operationId] = async (request: unknown) => {
      try {
        return await handler(request);
      } catch (err) {
        if (err instanceof UnusableReferenceError) throw new HttpProblem('validation-error', err.message, { status: 422, errors: [...err.fields] });
        throw err;
      }
    };
  }
  return wrapped as HandlerMap;
}
