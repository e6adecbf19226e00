import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from './program.js';

/**
 * Runs the CLI in-process against a fresh temp mlruns (or the tracking URI `trackingUri` makes of the
 * sandbox folder) and captures what it prints.
 */
export async function cliSandbox(options: { trackingUri?: (cwd: string) => string } = {}) {
  const cwd = await mkdtemp(join(tmpdir(), 'cairn-cli-'));
  const env = { MLFLOW_TRACKING_URI: options.trackingUri?.(cwd) ?? join(cwd, 'mlruns') };
  const run = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const code = await runCli(argv, {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      env,
      cwd,
    });
    return { code, stdout, stderr };
  };
  const json = async <T = unknown>(...argv: string[]): Promise<T> => {
    const result = await run('--json', ...argv);
    if (result.code !== 0) throw new Error(`exit ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  return { cwd, env, run, json };
}
