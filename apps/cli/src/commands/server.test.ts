import { describe, expect, it } from 'vitest';
import { runCli } from '../program.js';

describe('cairn server', () => {
  it("offers MLflow's server flags", async () => {
    let out = '';
    const code = await runCli(['server', '--help'], {
      stdout: (text) => {
        out += text;
      },
      stderr: () => {},
      env: {},
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    for (const flag of [
      '--backend-store-uri',
      '--default-artifact-root',
      '--artifacts-destination',
      '--no-serve-artifacts',
      '--host',
      '--port',
      '--workers',
    ]) {
      expect(out).toContain(flag);
    }
  });
});
