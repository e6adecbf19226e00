import { describe, expect, it } from 'vitest';
import { CairnError } from '../errors.js';
import { parseModelUri } from './model-uri.js';

describe('parseModelUri', () => {
  it('reads versions, stages, latest, aliases and logged-model ids, with subpaths', () => {
    expect(parseModelUri('models:/m/3')).toEqual({ kind: 'version', name: 'm', version: '3', subpath: '' });
    expect(parseModelUri('models:/m/3/a/b.txt')).toMatchObject({ kind: 'version', subpath: 'a/b.txt' });
    expect(parseModelUri('models:/m/Production')).toMatchObject({ kind: 'stage', stage: 'Production' });
    expect(parseModelUri('models:/m/LATEST')).toMatchObject({ kind: 'latest', name: 'm' });
    expect(parseModelUri('models:/m@champ/x')).toEqual({
      kind: 'alias',
      name: 'm',
      alias: 'champ',
      subpath: 'x',
    });
    expect(parseModelUri('models:/m-0a1b')).toEqual({ kind: 'logged-model', modelId: 'm-0a1b', subpath: '' });
  });

  it('refuses what is not a registry URI, naming model_uri', () => {
    for (const uri of [
      'runs:/abc/model',
      'models:/',
      'models://profile/m/1',
      'models:/@alias',
      'models:/m@',
    ]) {
      let caught: unknown;
      try {
        parseModelUri(uri);
      } catch (error) {
        caught = error;
      }
      expect(CairnError.isInstance(caught), uri).toBe(true);
      expect((caught as CairnError).code).toBe('INVALID_PARAMETER_VALUE');
      expect((caught as CairnError).details?.field).toBe('model_uri');
    }
  });
});
