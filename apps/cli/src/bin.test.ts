import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const appDir = fileURLToPath(new URL('..', import.meta.url));
const bin = join(appDir, 'dist', 'cli.js');

describe('the built cairn binary', () => {
  beforeAll(async () => {
    // `pnpm test` builds first; building here keeps `vitest run --project cli` working on its own.
    if (!existsSync(bin))
      await exec('npx', ['turbo', 'run', 'build', '--filter', '@cairn/cli...'], { cwd: appDir });
  }, 180_000);

  // Four node start-ups: 0.8-2.4 s each on a loaded 2-core machine, so the limit leaves room for a busy CI.
  it('runs with plain node: help, a command, and exit codes', { timeout: 120_000 }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'cairn-bin-'));
    const help = await exec(process.execPath, [bin, '--help'], { cwd });
    expect(help.stdout).toMatch(/Usage: cairn/u);
    const env = { ...process.env, MLFLOW_TRACKING_URI: join(cwd, 'mlruns') };
    const listed = await exec(process.execPath, [bin, '--json', 'experiments', 'search'], { cwd, env });
    expect(JSON.parse(listed.stdout).map((e: { name: string }) => e.name)).toEqual(['Default']);
    const failed = await exec(process.execPath, [bin, 'runs', 'describe', '--run-id', 'f'.repeat(32)], {
      cwd,
      env,
    }).catch((error: { code: number; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    const usage = await exec(process.execPath, [bin, 'runs', 'list', '--nope'], { cwd, env }).catch(
      (error: { code: number }) => error,
    );
    expect(usage).toMatchObject({ code: 2 });
  });
});
