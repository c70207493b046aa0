// MXNet 1.x's block prefixes: a process-wide counter per type for top-level blocks
// (NameManager: dense0_, dense1_) and a counter per parent inside `block.nameScope(...)`
// (_BlockScope: sequential0_dense0_).

const topLevelCounts = new Map<string, number>();

/** The prefixes handed out inside one block's nameScope. */
export interface ScopeOwner {
  readonly prefix: string;
  readonly scopeCounts: Map<string, number>;
}

const openScopes: ScopeOwner[] = [];

function next(counts: Map<string, number>, hint: string): string {
  const n = counts.get(hint) ?? 0;
  counts.set(hint, n + 1);
  return `${hint}${n}_`;
}

/**
 * The prefix of a new block whose type is hint (MXNet _BlockScope.create): the given prefix or
 * the next counted one, under the prefix of the block whose nameScope is open. Also returns the
 * prefix of its parameter names relative to its parent's ParameterDict.
 */
export function blockPrefix(prefix: string | undefined, hint: string): { prefix: string; parent: ScopeOwner | undefined } {
  const current = openScopes[openScopes.length - 1];
  if (current === undefined) return { prefix: prefix ?? next(topLevelCounts, hint), parent: undefined };
  return { prefix: current.prefix + (prefix ?? next(current.scopeCounts, hint)), parent: current };
}

/** Runs fn with owner's scope open (MXNet `with block.name_scope():`). */
export function withScope<T>(owner: ScopeOwner, fn: () => T): T {
  openScopes.push(owner);
  try {
    return fn();
  } finally {
    openScopes.pop();
  }
}

/**
 * Restarts the top-level counters (MXNet: entering a fresh `mx.name.NameManager()`), so the next
 * Dense is dense0 again. Blocks made before keep their names.
 */
export function resetNameCounters(): void {
  topLevelCounts.clear();
}
