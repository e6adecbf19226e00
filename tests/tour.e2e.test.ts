import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const exec = promisify(execFile);
const repo = fileURLToPath(new URL('..', import.meta.url));
const cli = join(repo, 'apps', 'cli', 'dist', 'cli.js');
const quickstart = join(repo, 'examples', 'quickstart.mjs');

interface RunJson {
  info: { run_id: string; run_name: string; status: string };
  data: {
    params: { key: string; value: string }[];
    metrics: { key: string; value: number; step: number }[];
    tags: { key: string; value: string }[];
  };
}

/** The README's tour, end to end, with built packages and plain node, in a fresh working directory. */
describe('README tour: log a run from TypeScript, see it from the CLI', () => {
  beforeAll(async () => {
    if (!existsSync(cli) || !existsSync(join(repo, 'packages', 'client', 'dist', 'index.js'))) {
      await exec('npx', ['turbo', 'run', 'build'], { cwd: repo });
    }
  }, 300_000);

  it('shows the quickstart run with its params, metrics, tags and artifact', {
    timeout: 60_000,
  }, async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'cairn-tour-'));
    // No tracking URI: the default, sqlite:///mlflow.db and ./mlartifacts in the working directory.
    const env = { ...process.env, MLFLOW_TRACKING_URI: '' };
    const logged = await exec(process.execPath, [quickstart], { cwd, env });
    const runId = /Logged run ([0-9a-f]{32})/u.exec(logged.stdout)?.[1];
    expect(runId).toBeDefined();

    const table = await exec(process.execPath, [cli, 'runs', 'list', '--experiment-name', 'quickstart'], {
      cwd,
      env,
    });
    expect(table.stdout).toContain(runId);
    expect(table.stdout).toContain('quickstart-run');
    expect(table.stdout).toContain('FINISHED');

    const listed = await exec(
      process.execPath,
      [cli, 'runs', 'list', '--experiment-name', 'quickstart', '--json'],
      { cwd, env },
    );
    expect((JSON.parse(listed.stdout) as RunJson[]).map((r) => r.info.run_id)).toEqual([runId]);

    const described = await exec(
      process.execPath,
      [cli, '--json', 'runs', 'describe', '--run-id', runId ?? ''],
      { cwd, env },
    );
    const run = JSON.parse(described.stdout) as RunJson;
    expect(run.info).toMatchObject({ run_id: runId, run_name: 'quickstart-run', status: 'FINISHED' });
    expect(run.data.params).toEqual(
      expect.arrayContaining([
        { key: 'learning_rate', value: '0.01' },
        { key: 'epochs', value: '100' },
      ]),
    );
    expect(run.data.metrics.find((m) => m.key === 'loss')).toMatchObject({
      step: 99,
      value: Math.exp(-99 / 25),
    });
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    expect(tags).toMatchObject({
      team: 'vision',
      'mlflow.source.name': quickstart,
      'mlflow.source.type': 'LOCAL',
    });

    const artifacts = await exec(
      process.execPath,
      [cli, 'artifacts', 'list', '--run-id', runId ?? '', '-a', 'notes'],
      { cwd, env },
    );
    expect(artifacts.stdout).toContain('notes/README.txt');

    // The README's download example, word for word, against this run (regression: it named a file the demo never logs).
    const readme = await readFile(join(repo, 'README.md'), 'utf8');
    const example = readme
      .split('\n')
      .find((line) => line.startsWith('node apps/cli/dist/cli.js artifacts download'));
    expect(example).toBeDefined();
    const argv = (example ?? '')
      .replace('<run-id>', runId ?? '')
      .split(/\s+/u)
      .slice(2);
    await exec(process.execPath, [cli, ...argv], { cwd, env });
    const dst = argv[argv.indexOf('--dst-path') + 1] ?? '';
    const artifactPath = argv[argv.indexOf('--artifact-path') + 1] ?? '';
    expect(await readFile(join(cwd, dst, artifactPath), 'utf8')).toContain('examples/quickstart.mjs');
    // The default store landed in the working directory, not somewhere global.
    expect(existsSync(join(cwd, 'mlflow.db'))).toBe(true);
  });
});
