/**
 * Sandbox mode's rules (docs/decisions/integration-sandbox.md): the scenarios a vendor may ask for
 * with `X-Sandbox-Scenario`, and what the simulated OPCO does next with a dossier or an invoice,
 * given its state and scenario. Pure: src/services/sandbox.ts carries the actions out.
 */
import type { IsoDate } from './cerfa/types.js';

export const SCENARIOS = ['engagement', 'refus', 'mise-en-conformite', 'facture-rejetee', 'paiement-partiel', 'rupture'] as const;
export type Scenario = (typeof SCENARIOS)[number];
export const SCENARIO_PAR_DEFAUT: Scenario = 'engagement';

/** On an invoice deposit only the invoice scenarios make sense (`engagement` = validated and paid in full). */
export const SCENARIOS_FACTURE: readonly Scenario[] = ['engagement', 'facture-rejetee', 'paiement-partiel'];

/** A scenario as a client may spell it — `REFUS`, `Mise_en_conformité`, `paiement partiel` — in the declared form. */
export function scenarioSpelling(raw: string): string {
  return raw.normalize('NFD').replace(/[\u0300-\u036f]/g, '').trim().toLowerCase().replace(/[\s_]+/g, '-');
}

export function isScenario(value: string): value is Scenario {
  return (SCENARIOS as readonly string[]).includes(value);
}

/** Progress the state alone does not tell: the conformity request was asked; the simulator gave up. */
export const ETAPE_CONFORMITE_DEMANDEE = 'MISE_EN_CONFORMITE_DEMANDEE';
export const ETAPE_ECHEC = 'ECHEC';
/** Left to the back office (e.g. the demo's data set in every state): the simulator never acts on it. */
export const ETAPE_MANUEL = 'MANUEL';
/** Étapes the simulator skips. */
export const ETAPES_IGNOREES: readonly string[] = [ETAPE_ECHEC, ETAPE_MANUEL];

export type ActionDossier =
  | { kind: 'transition'; vers: 'EN_COURS_INSTRUCTION' | 'ENGAGE' }
  | { kind: 'refus'; commentaire: string }
  | { kind: 'mise-en-conformite'; commentaire: string }
  | { kind: 'rupture' }
  /** Waiting for the CFA (its correction) or nothing to do in this scenario. */
  | { kind: 'attendre' };

export interface DossierSuivi {
  etat: string;
  scenario: Scenario;
  etape: string | null;
  miseEnConformite: boolean;
}

/**
 * TRANSMIS → EN_COURS_INSTRUCTION, then by scenario: ENGAGE; REFUSE; a conformity request, then
 * ENGAGE once the CFA has corrected the dossier (its correction clears the flag); ENGAGE then
 * RUPTURE. The invoice scenarios engage the dossier like `engagement`.
 */
export function nextDossierAction(d: DossierSuivi): ActionDossier {
  if (d.etape !== null && ETAPES_IGNOREES.includes(d.etape)) return { kind: 'attendre' };
  switch (d.etat) {
    case 'TRANSMIS':
      return { kind: 'transition', vers: 'EN_COURS_INSTRUCTION' };
    case 'EN_COURS_INSTRUCTION':
      if (d.scenario === 'refus') return { kind: 'refus', commentaire: 'Sandbox : refus simulé (scénario refus).' };
      if (d.scenario === 'mise-en-conformite') {
        if (d.etape !== ETAPE_CONFORMITE_DEMANDEE) {
          return { kind: 'mise-en-conformite', commentaire: 'Sandbox : mise en conformité simulée, renvoyez le CERFA corrigé (POST /v1/dossiers/correction).' };
        }
        if (d.miseEnConformite) return { kind: 'attendre' };
      }
      return { kind: 'transition', vers: 'ENGAGE' };
    case 'ENGAGE':
      return d.scenario === 'rupture' ? { kind: 'rupture' } : { kind: 'attendre' };
    default:
      return { kind: 'attendre' };
  }
}

export type ActionFacture =
  | { kind: 'transition'; vers: 'VALIDEE' }
  | { kind: 'rejet'; commentaire: string }
  | { kind: 'reglement'; montantCents: number }
  | { kind: 'attendre' };

/** TRANSMIS → VALIDEE (or REJETEE), VALIDEE → paid in full (or half of it, rounded down to the cent). */
export function nextFactureAction(f: { etat: string; scenario: Scenario; montantTotalCents: number }): ActionFacture {
  if (f.etat === 'TRANSMIS') {
    return f.scenario === 'facture-rejetee' ? { kind: 'rejet', commentaire: 'Sandbox : rejet simulé (scénario facture-rejetee).' } : { kind: 'transition', vers: 'VALIDEE' };
  }
  if (f.etat === 'VALIDEE') {
    const montantCents = f.scenario === 'paiement-partiel' ? Math.max(1, Math.floor(f.montantTotalCents / 2)) : f.montantTotalCents;
    return { kind: 'reglement', montantCents };
  }
  return { kind: 'attendre' };
}

/** The rupture date the simulator declares: the sandbox's today, kept within the contract. */
export function dateRuptureSimulee(aujourdHui: IsoDate, debut: IsoDate, fin: IsoDate): IsoDate {
  if (aujourdHui < debut) return debut;
  return aujourdHui > fin ? fin : aujourdHui;
}
