import { InvalidInputError } from '../../src/platform/errors';

/** The pointers of the 400 that `fn` throws, in order (fails the test when it throws none). */
export function invalidPointers(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof InvalidInputError) return err.fields.map((f) => f.pointer);
    throw err;
  }
  throw new Error('no InvalidInputError');
}
