/** The simulated OPCO's rules (src/domain/sandbox.ts): what comes next for each state and scenario. */
import { describe, expect, it } from 'vitest';
import {
  dateRuptureSimulee, ETAPE_CONFORMITE_DEMANDEE, ETAPE_ECHEC, ETAPE_MANUEL, isScenario, nextDossierAction, scenarioSpelling, nextFactureAction, SCENARIOS, type Scenario,
} from '../../src/domain/sandbox.js';

const dossier = (etat: string, scenario: Scenario, etape: string | null = null, miseEnConformite = false) => nextDossierAction({ etat, scenario, etape, miseEnConformite });

describe('nextDossierAction', () => {
  it('every scenario instructs a transmitted dossier first', () => {
    for (const s of SCENARIOS) expect(dossier('TRANSMIS', s)).toEqual({ kind: 'transition', vers: 'EN_COURS_INSTRUCTION' });
  });

  it('in instruction: engage, refuse, or ask for a correction then engage once answered', () => {
    for (const s of ['engagement', 'facture-rejetee', 'paiement-partiel', 'rupture'] as const) {
      expect(dossier('EN_COURS_INSTRUCTION', s)).toEqual({ kind: 'transition', vers: 'ENGAGE' });
    }
    expect(dossier('EN_COURS_INSTRUCTION', 'refus')).toMatchObject({ kind: 'refus', commentaire: expect.any(String) });
    expect(dossier('EN_COURS_INSTRUCTION', 'mise-en-conformite')).toMatchObject({ kind: 'mise-en-conformite' });
    expect(dossier('EN_COURS_INSTRUCTION', 'mise-en-conformite', ETAPE_CONFORMITE_DEMANDEE, true)).toEqual({ kind: 'attendre' });
    expect(dossier('EN_COURS_INSTRUCTION', 'mise-en-conformite', ETAPE_CONFORMITE_DEMANDEE, false)).toEqual({ kind: 'transition', vers: 'ENGAGE' });
  });

  it('engaged: only the rupture scenario goes on; final states and skipped étapes wait', () => {
    expect(dossier('ENGAGE', 'rupture')).toEqual({ kind: 'rupture' });
    expect(dossier('ENGAGE', 'engagement')).toEqual({ kind: 'attendre' });
    for (const e of ['REFUSE', 'ANNULE', 'RUPTURE', 'SOLDE']) expect(dossier(e, 'rupture')).toEqual({ kind: 'attendre' });
    expect(dossier('TRANSMIS', 'engagement', ETAPE_ECHEC)).toEqual({ kind: 'attendre' });
    expect(dossier('TRANSMIS', 'engagement', ETAPE_MANUEL)).toEqual({ kind: 'attendre' });
  });
});

describe('nextFactureAction', () => {
  it('validates then pays in full, half (down to the cent), or rejects', () => {
    expect(nextFactureAction({ etat: 'TRANSMIS', scenario: 'engagement', montantTotalCents: 1001 })).toEqual({ kind: 'transition', vers: 'VALIDEE' });
    expect(nextFactureAction({ etat: 'TRANSMIS', scenario: 'facture-rejetee', montantTotalCents: 1001 })).toMatchObject({ kind: 'rejet' });
    expect(nextFactureAction({ etat: 'VALIDEE', scenario: 'engagement', montantTotalCents: 1001 })).toEqual({ kind: 'reglement', montantCents: 1001 });
    expect(nextFactureAction({ etat: 'VALIDEE', scenario: 'paiement-partiel', montantTotalCents: 1001 })).toEqual({ kind: 'reglement', montantCents: 500 });
    expect(nextFactureAction({ etat: 'VALIDEE', scenario: 'paiement-partiel', montantTotalCents: 1 })).toEqual({ kind: 'reglement', montantCents: 1 });
    for (const e of ['REGLE_PARTIELLEMENT', 'REGLE', 'REJETEE', 'EN_ATTENTE_MISE_EN_CONFORMITE']) {
      expect(nextFactureAction({ etat: e, scenario: 'engagement', montantTotalCents: 100 })).toEqual({ kind: 'attendre' });
    }
  });
});

describe('scenarios and rupture date', () => {
  it('reads a scenario whatever its case, accents, spaces or underscores', () => {
    expect(['REFUS', 'Mise_en_conformité', ' paiement partiel ', 'Facture-Rejetée', 'rupture'].map(scenarioSpelling))
      .toEqual(['refus', 'mise-en-conformite', 'paiement-partiel', 'facture-rejetee', 'rupture']);
    expect(isScenario(scenarioSpelling('paiement total'))).toBe(false);
  });

  it('the six scenarios of the issue, nothing else', () => {
    expect(SCENARIOS).toEqual(['engagement', 'refus', 'mise-en-conformite', 'facture-rejetee', 'paiement-partiel', 'rupture']);
    expect(isScenario('Engagement')).toBe(false);
  });

  it('the rupture date is the sandbox day, kept within the contract', () => {
    expect(dateRuptureSimulee('2026-12-02', '2025-09-01', '2027-08-31')).toBe('2026-12-02');
    expect(dateRuptureSimulee('2025-01-01', '2025-09-01', '2027-08-31')).toBe('2025-09-01');
    expect(dateRuptureSimulee('2029-01-01', '2025-09-01', '2027-08-31')).toBe('2027-08-31');
  });
});
