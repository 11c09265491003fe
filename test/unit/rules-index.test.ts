import { describe, expect, it } from 'vitest';
import { checkCerfaRules, RULE_CODES } from '../../src/domain/cerfa/rules/index.js';
import type { Cerfa } from '../../src/domain/cerfa/types.js';
import { BASE_RECEIVED_ON, baseCerfa, run } from './helpers/cerfa-domain.js';

describe('checkCerfaRules', () => {
  it('finds nothing on the valid base contract', () => {
    expect(run()).toEqual({ erreurs: [], avertissements: [] });
  });
});
