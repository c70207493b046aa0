// Checking thrown errors by class name: errors made by the addon come from the main realm, whose
// TypeError is not jest's sandbox TypeError, so instanceof would fail for the wrong reason.

export function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the call to throw, it returned normally');
}

export function errorClasses(e: unknown): string[] {
  const names: string[] = [];
  for (let p = Object.getPrototypeOf(e); p && p !== Object.prototype; p = Object.getPrototypeOf(p)) {
    names.push(p.constructor?.name);
  }
  return names;
}

export function expectError(
  fn: () => unknown,
  cls: ErrorConstructor | TypeErrorConstructor | RangeErrorConstructor,
  ...patterns: (RegExp | string)[]
): void {
  const e = thrown(fn);
  // by name along the prototype chain
  expect(errorClasses(e)).toContain(cls.name);
  for (const p of patterns) {
    if (typeof p === 'string') expect(e.message).toContain(p);
    else expect(e.message).toMatch(p);
  }
}
