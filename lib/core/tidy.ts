// nd.tidy: arrays created inside a callback are disposed when it returns, except those it
// returns. Every NDArray registers with the innermost open scope.
export interface Disposable {
  dispose(): void;
}

const scopes: Disposable[][] = [];

export function track(x: Disposable): void {
  if (scopes.length > 0) scopes[scopes.length - 1].push(x);
}

function collectKept(value: unknown, kept: Set<unknown>, depth = 0): void {
  if (value === null || typeof value !== 'object' || depth > 8) return;
  if (kept.has(value)) return;
  kept.add(value);
  if (Array.isArray(value)) for (const v of value) collectKept(v, kept, depth + 1);
  else if (Object.getPrototypeOf(value) === Object.prototype) {
    for (const v of Object.values(value as Record<string, unknown>)) collectKept(v, kept, depth + 1);
  }
}

export function tidy<T>(fn: () => T): T {
  if (typeof fn !== 'function') throw new TypeError('tidy: fn must be a function');
  const scope: Disposable[] = [];
  scopes.push(scope);
  let result: T;
  try {
    result = fn();
  } finally {
    scopes.pop();
  }
  if (result instanceof Promise) {
    throw new Error('tidy: fn returned a Promise; tidy only supports synchronous functions');
  }
  const kept = new Set<unknown>();
  collectKept(result, kept);
  for (const x of scope) {
    if (kept.has(x)) track(x);
    else x.dispose();
  }
  return result;
}

/**
 * Runs fn with no scope open, so the arrays it makes outlive every enclosing nd.tidy (a Gluon
 * parameter created by the first forward inside a tidy belongs to the model, not the scope).
 */
export function untracked<T>(fn: () => T): T {
  const saved = scopes.splice(0);
  try {
    return fn();
  } finally {
    scopes.push(...saved);
  }
}
