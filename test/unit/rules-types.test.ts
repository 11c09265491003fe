import { describe, it } from 'vitest';
import type { Contrat } from '../../src/domain/cerfa/types.js';
import { expectCase, type Mutation, type RuleCase } from './helpers/cerfa-domain.js';

const contrat = (patch: Partial<Contrat>): Mutation => (c) => { Object.assign(c.contrat, patch); };
const NUMERO = '075202509000123';

describe('rules — contract type (T1–T4)', () => {
  it.each<RuleCase>([
    { name: 'T1/T2 avenant 36 without number nor effective date', mutate: contrat({ typeContratApp: 36 }),
      erreurs: ['NUMERO_CONTRAT_PRECEDENT_OBLIGATOIRE', 'DATE_EFFET_AVENANT_OBLIGATOIRE'] },
    { name: 'T1 avenant 33 without number', mutate: contrat({ typeContratApp: 33, dateEffetAvenant: '2026-01-01' }),
      erreurs: ['NUMERO_CONTRAT_PRECEDENT_OBLIGATOIRE'], champ: '/cerfa/contrat/numeroContratPrecedent' },
    { name: 'T2 avenant 31 without effective date', mutate: contrat({ typeContratApp: 31, numeroContratPrecedent: NUMERO }),
      erreurs: ['DATE_EFFET_AVENANT_OBLIGATOIRE'], champ: '/cerfa/contrat/dateEffetAvenant' },
    { name: 'T1/T2 avenant 38 treated like the others', mutate: contrat({ typeContratApp: 38 }),
      erreurs: ['NUMERO_CONTRAT_PRECEDENT_OBLIGATOIRE', 'DATE_EFFET_AVENANT_OBLIGATOIRE'] },
    { name: 'T1/T2 complete avenant 37', mutate: contrat({ typeContratApp: 37, numeroContratPrecedent: NUMERO, dateEffetAvenant: '2026-01-01' }),
      receivedOn: '2026-01-02' },
    { name: 'T1 blank number', mutate: contrat({ typeContratApp: 35, numeroContratPrecedent: ' ', dateEffetAvenant: '2026-01-01' }),
      erreurs: ['NUMERO_CONTRAT_PRECEDENT_OBLIGATOIRE'], receivedOn: '2026-01-02' },
    { name: 'T1 succession 21 without previous number (optional)', mutate: contrat({ typeContratApp: 21 }) },
    { name: 'T1 succession 23 with previous number', mutate: contrat({ typeContratApp: 23, numeroContratPrecedent: NUMERO }) },
    { name: 'T3 previous number without employer SIRET',
      mutate: (c) => { c.contrat.typeContratApp = 22; c.contrat.numeroContratPrecedent = NUMERO; c.employeur.siret = ''; },
      erreurs: ['SIRET_EMPLOYEUR_OBLIGATOIRE_CONTRAT_PRECEDENT'], champ: '/cerfa/employeur/siret' },
    { name: 'T4 first contract after an apprenticeship contract', mutate: (c) => { c.apprenti.situationAvantContrat = 4; },
      avertissements: ['TYPE_CONTRAT_INITIAL_APRES_APPRENTISSAGE'], champ: '/cerfa/contrat/typeContratApp' },
    { name: 'T4 succession after an apprenticeship contract',
      mutate: (c) => { c.apprenti.situationAvantContrat = 4; c.contrat.typeContratApp = 22; } },
  ])('$name', (c) => { expectCase(c); });
});
