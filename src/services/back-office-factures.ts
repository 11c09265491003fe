/**
 * The back office's invoicing use cases (role `opco`): search invoices across CFAs, move them
 * through their life cycle (ask for a correction, validate, reject), record payments (règlements),
 * list refunds (remboursements) and confirm their receipt. Each write runs in one transaction with
 * its audit entry.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { searchFactures, type FactureSearch, type Page } from '../db/back-office-search.js';
import {
  applyMouvements, updateFacture, dossiersOfFactures, asLignesEnCompte, findFacture, recordFactureHistory, lignesOf, lockFacture, Refus, TRANSITIONS_MANUELLES,
  type FactureRow, type MontantDossier,
} from '../db/factures.js';
import { dossierIdsOfFactures } from '../db/soldes.js';
import { findReglement, insertReglement, pageOfReglements, referenceAlreadyUsed, type ReglementDetail, type SettledReglement } from '../db/reglements.js';
import {
  findRemboursement, lockRemboursement, pageOfRemboursements, recordReception, type RemboursementListItem,
} from '../db/remboursements.js';
import { eurosToCents } from '../domain/financing/index.js';
import { calendarDateOf } from '../domain/formats.js';
import { mouvementsLiberation, planReception } from '../domain/invoicing/index.js';
import { isEtatFacture, planFactureTransition, transitionsFacturePossibles, type EtatFacture } from '../domain/lifecycle/index.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './actor.js';
import { settleDeclarationsSolde } from './soldes.js';
import { transitionRefusal } from './transitions.js';

const unknownFacture = (numeroInterne: string) => refuse.notFound('FACTURE_INTROUVABLE', `Aucune facture ${numeroInterne}.`);

export interface FacturesPage extends Page<FactureRow> {
  /** Per invoice id: the dossiers it names and its amount on each. */
  dossiers: Map<string, MontantDossier[]>;
}

export async function searchAllFactures(db: Knex, q: FactureSearch): Promise<FacturesPage> {
  const { total, items } = await searchFactures(db, q);
  return { total, items, dossiers: await dossiersOfFactures(db, items.map((f) => f.id)) };
}

/** An invoice by its numéro interne, whatever its CFA. */
export async function readAnyFacture(db: Knex, numeroInterne: string): Promise<FactureRow> {
  const facture = await findFacture(db, numeroInterne);
  if (!facture) throw unknownFacture(numeroInterne);
  return facture;
}

const manuelles = (states: EtatFacture[]): EtatFacture[] => states.filter((s) => TRANSITIONS_MANUELLES.includes(s));

/**
 * A back-office move (EN_ATTENTE_MISE_EN_CONFORMITE, VALIDEE, REJETEE) in one transaction: the
 * invoice is locked, the state machine decides, a rejection releases the amounts en cours, the
 * CFA's feed is bumped and the history records who and why. A rejected invoice is TRANSMIS,
 * EN_ATTENTE_MISE_EN_CONFORMITE or VALIDEE, so nothing was paid on it (a payment locks the invoice
 * too and makes it REGLE_PARTIELLEMENT, which cannot be rejected): each line releases its whole
 * amount, and its frais-annexes lines stop counting against their envelopes.
 */
export async function moveFacture(db: Knex, opco: Actor, numeroInterne: string, demande: { vers: string; commentaire?: string | null | undefined }): Promise<FactureRow> {
  const { vers } = demande;
  if (!isEtatFacture(vers)) {
    throw refuse.invalid([{ code: 'ETAT_INCONNU', description: `vers doit valoir ${TRANSITIONS_MANUELLES.join(', ')}.`, champ: '/vers', section: 'requete' }]);
  }
  const request = { vers, ...(typeof demande.commentaire === 'string' ? { commentaire: demande.commentaire } : {}) };
  return db.transaction(async (trx) => {
    const f = await lockFacture(trx, numeroInterne);
    if (!f) throw unknownFacture(numeroInterne);
    const plan = planFactureTransition(f.etat, request);
    if (!plan.ok) throw transitionRefusal(plan.code, plan.description, manuelles(plan.allowed));
    if (!TRANSITIONS_MANUELLES.includes(vers)) {
      const description = vers === 'TRANSMIS'
        ? 'Une facture repasse à TRANSMIS quand le CFA la corrige (POST /v1/factures avec numeroInterneFactureCorrigee) ou transmet un certificat.'
        : 'Une facture passe à REGLE_PARTIELLEMENT ou REGLE par l’enregistrement d’un règlement (POST /back-office/v1/reglements).';
      throw transitionRefusal('TRANSITION_RESERVEE', description, manuelles(transitionsFacturePossibles(f.etat)));
    }
    const lignes = vers === 'REJETEE' ? await lignesOf(trx, f.id) : [];
    if (vers === 'REJETEE') await applyMouvements(trx, mouvementsLiberation(asLignesEnCompte(lignes)));
    const commentaire = request.commentaire?.trim() || null;
    const updated = await updateFacture(trx, f, { etat: vers, commentaire });
    await recordFactureHistory(trx, f.id, { evenement: 'ETAT', etat: vers, acteur: opco.acteur, commentaire });
    // A rejected invoice ends: a declared solde may now release what it held and close its dossiers.
    if (vers === 'REJETEE') await settleDeclarationsSolde(trx, lignes.map((l) => String(l.dossier_id)), opco.acteur);
    await recordWrite(trx, opco.author, `FACTURE_${vers}`, { type: 'FACTURE', id: numeroInterne });
    return updated;
  });
}

export interface ReglementDemande {
  referenceVirement: string;
  dateReglement: string;
  lignes: Array<{ numeroInterneFacture: string; montant: number | string }>;
}

export interface RecordedReglement extends SettledReglement {
  detail: ReglementDetail | undefined;
}

/** Records one transfer settling validated invoices: every reason to refuse it at once, nothing written then. */
export async function recordReglement(db: Knex, opco: Actor, demande: ReglementDemande): Promise<RecordedReglement> {
  const violations: Violation[] = [];
  const lignes = demande.lignes.map((l, index) => {
    const champ = `/lignes/${index}/montant`;
    try {
      const montantCents = eurosToCents(l.montant);
      if (montantCents <= 0) violations.push({ code: 'MONTANT_INVALIDE', description: 'Le montant doit être strictement positif.', champ, section: 'requete' });
      return { index, numeroInterneFacture: l.numeroInterneFacture, montantCents };
    } catch (err) {
      violations.push({ code: 'MONTANT_INVALIDE', description: err instanceof Error ? err.message : 'Montant illisible.', champ, section: 'requete' });
      return { index, numeroInterneFacture: l.numeroInterneFacture, montantCents: 0 };
    }
  });
  if (violations.length) throw refuse.invalid(violations);
  const referenceVirement = demande.referenceVirement.trim();
  try {
    const settled = await db.transaction(async (trx) => {
      const done = await insertReglement(trx, { referenceVirement, dateReglement: calendarDateOf(demande.dateReglement), lignes }, opco);
      await recordWrite(trx, opco.author, 'REGLEMENT_ENREGISTRE', { type: 'REGLEMENT', id: done.reglement.numero_interne });
      // Fully paid invoices end: their dossiers' declared soldes may close.
      const reglees = done.factures.filter((f) => f.etat === 'REGLE').map((f) => f.id);
      await settleDeclarationsSolde(trx, await dossierIdsOfFactures(trx, reglees), opco.acteur);
      return done;
    });
    return { ...settled, detail: await findReglement(db, settled.reglement.id) };
  } catch (err) {
    if (err instanceof Refus) throw refuse.invalid(err.violations);
    const used = referenceAlreadyUsed(err, referenceVirement);
    if (used) throw refuse.invalid([used]);
    throw err;
  }
}

export function pageOfAllReglements(db: Knex, q: { siren?: string | undefined; page: number; size: number }): Promise<Page<ReglementDetail>> {
  return pageOfReglements(db, { page: q.page, size: q.size, ...(q.siren ? { siren: q.siren } : {}) });
}

export function pageOfAllRemboursements(db: Knex, q: { siren?: string | undefined; etat?: string | undefined; page: number; size: number }): Promise<Page<RemboursementListItem>> {
  return pageOfRemboursements(db, { page: q.page, size: q.size, ...(q.siren ? { siren: q.siren } : {}), ...(q.etat ? { etat: q.etat } : {}) });
}

/** The OPCO confirms it received the transfer, or applied the avoir (after the CFA's declaration). */
export async function receiveRemboursement(db: Knex, opco: Actor, numeroInterne: string, commentaire: string | null | undefined): Promise<RemboursementListItem> {
  await db.transaction(async (trx) => {
    const r = await lockRemboursement(trx, numeroInterne);
    if (!r) throw refuse.notFound('REMBOURSEMENT_INTROUVABLE', `Aucun remboursement ${numeroInterne}.`);
    const plan = planReception(r.etat);
    if (!plan.ok) throw transitionRefusal(plan.code, plan.description, plan.allowed);
    await recordReception(trx, r, { etat: plan.vers, acteur: opco.acteur, commentaire: commentaire?.trim() || null });
    await recordWrite(trx, opco.author, 'REMBOURSEMENT_RECU', { type: 'REMBOURSEMENT', id: numeroInterne });
    // A refund received no longer holds the dossier open.
    await settleDeclarationsSolde(trx, [String(r.dossier_id)], opco.acteur);
  });
  const r = await findRemboursement(db, numeroInterne);
  if (!r) throw refuse.notFound('REMBOURSEMENT_INTROUVABLE', `Aucun remboursement ${numeroInterne}.`);
  return r;
}
