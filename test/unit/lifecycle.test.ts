import { describe, expect, it } from 'vitest';
import {
  keepsMiseEnConformite, ETATS_DOSSIER, isEtatDossier, planDossierTransition, planMiseEnConformite, transitionsDossierPossibles,
  type EtatDossier,
} from '../../src/domain/lifecycle/dossier.js';
import {
  ETATS_FACTURE, isEtatFacture, planFactureTransition, transitionsFacturePossibles, type EtatFacture,
} from '../../src/domain/lifecycle/facture.js';

/** Every allowed move and what it requires; every pair not listed here must be refused. */
const DOSSIER: Record<EtatDossier, Partial<Record<EtatDossier, 'commentaire' | 'dateRupture' | null>>> = {
  TRANSMIS: { EN_COURS_INSTRUCTION: null, ANNULE: 'commentaire' },
  EN_COURS_INSTRUCTION: { ENGAGE: null, REFUSE: 'commentaire', ANNULE: 'commentaire' },
  ENGAGE: { ANNULE: 'commentaire', RUPTURE: 'dateRupture', SOLDE: null },
  REFUSE: {},
  ANNULE: {},
  RUPTURE: { SOLDE: null },
  SOLDE: {},
};

const FACTURE: Record<EtatFacture, Partial<Record<EtatFacture, 'commentaire' | null>>> = {
  TRANSMIS: { EN_ATTENTE_MISE_EN_CONFORMITE: 'commentaire', VALIDEE: null, REJETEE: 'commentaire' },
  EN_ATTENTE_MISE_EN_CONFORMITE: { TRANSMIS: null, VALIDEE: null, REJETEE: 'commentaire' },
  // A validated invoice overtaken by a rupture may be rejected; a partly paid one may not.
  VALIDEE: { REJETEE: 'commentaire', REGLE_PARTIELLEMENT: null, REGLE: null },
  REJETEE: {},
  REGLE_PARTIELLEMENT: { REGLE: null },
  REGLE: {},
};

const complete = { commentaire: 'Motif détaillé', dateRupture: '2026-03-15' };

describe('dossier life cycle — every (from, to) pair', () => {
  const pairs = ETATS_DOSSIER.flatMap((from) => ETATS_DOSSIER.map((to) => [from, to] as const));
  it('covers the 49 pairs', () => expect(pairs).toHaveLength(49));

  it.each(pairs)('%s → %s', (from, to) => {
    const rule = DOSSIER[from];
    const allowed = Object.keys(rule);
    const plan = planDossierTransition(from, { vers: to, ...complete });
    if (to in rule) {
      expect(plan).toEqual({ ok: true });
      const requirement = rule[to];
      if (requirement === 'commentaire') {
        expect(planDossierTransition(from, { vers: to })).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE' });
        expect(planDossierTransition(from, { vers: to, commentaire: '   ' })).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE' });
      } else if (requirement === 'dateRupture') {
        expect(planDossierTransition(from, { vers: to })).toMatchObject({ ok: false, code: 'DATE_RUPTURE_OBLIGATOIRE', allowed });
        expect(planDossierTransition(from, { vers: to, dateRupture: '15/03/2026' })).toMatchObject({ ok: false, code: 'DATE_RUPTURE_INVALIDE' });
      } else {
        expect(planDossierTransition(from, { vers: to })).toEqual({ ok: true });
      }
    } else {
      expect(plan).toMatchObject({ ok: false, code: from === to ? 'ETAT_INCHANGE' : 'TRANSITION_INTERDITE', allowed });
      if (!plan.ok) expect(plan.description.length).toBeGreaterThan(10);
    }
  });

  it('lists the reachable states; final states have none', () => {
    expect(transitionsDossierPossibles('ENGAGE')).toEqual(['ANNULE', 'RUPTURE', 'SOLDE']);
    for (const e of ['REFUSE', 'ANNULE', 'SOLDE'] as const) expect(transitionsDossierPossibles(e)).toEqual([]);
    const plan = planDossierTransition('SOLDE', { vers: 'ENGAGE' });
    expect(!plan.ok && plan.description).toContain('état final');
  });

  it('refuses unknown states (values coming from storage)', () => {
    expect(planDossierTransition('RUPTU' as EtatDossier, { vers: 'SOLDE' })).toMatchObject({ ok: false, code: 'ETAT_INCONNU', allowed: [] });
    expect(planDossierTransition('ENGAGE', { vers: 'RUTPURE' as EtatDossier })).toMatchObject({ ok: false, code: 'ETAT_INCONNU' });
    expect(isEtatDossier('ENGAGE')).toBe(true);
    expect(isEtatDossier('RUPTU')).toBe(false);
  });

  it('describes refusals in French', () => {
    const plan = planDossierTransition('TRANSMIS', { vers: 'ENGAGE' });
    expect(plan).toMatchObject({ ok: false, description: expect.stringContaining('Passage de « transmis » à « engagé » interdit') as string });
  });
});

describe('mise en conformité flag', () => {
  it.each(ETATS_DOSSIER)('in state %s', (etat) => {
    const plan = planMiseEnConformite(etat, 'SIRET du CFA à corriger');
    if (etat === 'EN_COURS_INSTRUCTION') expect(plan).toEqual({ ok: true });
    else expect(plan).toMatchObject({ ok: false, code: 'MISE_EN_CONFORMITE_INTERDITE', allowed: ['EN_COURS_INSTRUCTION'] });
  });
  it('requires a comment', () => {
    expect(planMiseEnConformite('EN_COURS_INSTRUCTION')).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE' });
    expect(planMiseEnConformite('EN_COURS_INSTRUCTION', ' ')).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE' });
  });
  it('is cleared by any transition out of instruction', () => {
    expect(ETATS_DOSSIER.filter(keepsMiseEnConformite)).toEqual(['EN_COURS_INSTRUCTION']);
  });
});

describe('invoice life cycle — every (from, to) pair', () => {
  const pairs = ETATS_FACTURE.flatMap((from) => ETATS_FACTURE.map((to) => [from, to] as const));
  it('covers the 36 pairs', () => expect(pairs).toHaveLength(36));

  it.each(pairs)('%s → %s', (from, to) => {
    const rule = FACTURE[from];
    const allowed = Object.keys(rule);
    const plan = planFactureTransition(from, { vers: to, commentaire: 'Motif' });
    if (to in rule) {
      expect(plan).toEqual({ ok: true });
      if (rule[to] === 'commentaire') {
        expect(planFactureTransition(from, { vers: to })).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE', allowed });
      } else {
        expect(planFactureTransition(from, { vers: to })).toEqual({ ok: true });
      }
    } else {
      expect(plan).toMatchObject({ ok: false, code: from === to ? 'ETAT_INCHANGE' : 'TRANSITION_INTERDITE', allowed });
    }
  });

  it('lists the reachable states; final states have none', () => {
    expect(transitionsFacturePossibles('TRANSMIS')).toEqual(['EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE']);
    expect(transitionsFacturePossibles('VALIDEE')).toEqual(['REJETEE', 'REGLE_PARTIELLEMENT', 'REGLE']);
    expect(transitionsFacturePossibles('REGLE_PARTIELLEMENT')).toEqual(['REGLE']);
    expect(transitionsFacturePossibles('REJETEE')).toEqual([]);
    expect(transitionsFacturePossibles('REGLE')).toEqual([]);
    expect(isEtatFacture('REGLE')).toBe(true);
    expect(isEtatFacture('PAYEE')).toBe(false);
  });

  it('rejects a validated invoice only with a reason; never a partly paid one', () => {
    expect(planFactureTransition('VALIDEE', { vers: 'REJETEE', commentaire: 'Échéance recalculée après rupture' })).toEqual({ ok: true });
    expect(planFactureTransition('VALIDEE', { vers: 'REJETEE', commentaire: '  ' })).toMatchObject({ ok: false, code: 'COMMENTAIRE_OBLIGATOIRE' });
    const partiel = planFactureTransition('REGLE_PARTIELLEMENT', { vers: 'REJETEE', commentaire: 'Échéance recalculée après rupture' });
    expect(partiel).toMatchObject({ ok: false, code: 'TRANSITION_INTERDITE', allowed: ['REGLE'] });
    expect(!partiel.ok && partiel.description).toContain('« réglée partiellement » à « rejetée » interdit');
  });
});
