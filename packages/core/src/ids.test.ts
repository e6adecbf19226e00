import { describe, expect, it } from 'vitest';
import {
  createExperimentId,
  createLoggedModelId,
  createRunId,
  createTraceId,
  defaultExperiment,
} from './ids.js';
import { generateRunName, isGeneratedRunName } from './run-name.js';

describe('ids', () => {
  it('makes run ids of 32 lowercase hex characters, unique', () => {
    const ids = new Set(Array.from({ length: 1000 }, createRunId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });

  it('makes 18-digit experiment ids that never collide with the Default experiment', () => {
    for (let i = 0; i < 200; i += 1) {
      const id = createExperimentId();
      expect(id).toMatch(/^[1-9]\d{17}$/);
    }
    expect(defaultExperiment).toEqual({ id: '0', name: 'Default' });
  });

  it('prefixes logged-model and trace ids as MLflow does', () => {
    expect(createLoggedModelId()).toMatch(/^m-[0-9a-f]{32}$/);
    expect(createTraceId()).toMatch(/^tr-[0-9a-f]{32}$/);
  });
});

describe('generateRunName', () => {
  it('makes adjective-noun-number names', () => {
    for (let i = 0; i < 100; i += 1) {
      const name = generateRunName();
      expect(name).toMatch(/^[a-z]+-[a-z]+-\d{1,3}$/);
      expect(isGeneratedRunName(name)).toBe(true);
    }
    expect(isGeneratedRunName('my-run')).toBe(false);
  });
});
