// Runs a script in a fresh Node process at the project root (what one process cannot show: exit
// behaviour, flags such as --expose-gc, memory from the start); its stdout, or an error with its
// stderr when it fails.
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.join(__dirname, '..', '..');

/** The environment of a child that loads the regular build, also under npm run test:asan. */
export function regularBuildEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.LD_PRELOAD;
  delete env.NDGRAD_PREBUILD;
  return env;
}

export function runNode(script: string, flags: string[] = [], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(process.execPath, [...flags, '-e', script], { cwd: root, encoding: 'utf8', timeout: 120000, env });
  if (r.status !== 0) throw new Error(`child failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The last line a child printed, as JSON (children print their figures last). */
export function lastJsonLine<T = unknown>(stdout: string): T {
  return JSON.parse(stdout.trim().split('\n').pop() as string) as T;
}
