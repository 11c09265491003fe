/**
 * Ruptures declared by the CFA and the refunds (remboursements) they may cause. The rupture goes
 * through the very transition the back office uses (`moveDossier`: lock, state machine, engine
 * recomputation, history, feed); in the same transaction the declaration is kept, the audit entry
 * written and, when the OPCO paid more than the recomputed entitlement, a refund record created.
 * The CFA then declares how it regularises each refund. Another CFA's dossier or refund is refused
 * exactly like a missing one.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { moveDossier } from './back-office-dossiers.js';
import type { DossierRow } from '../db/dossiers.js';
import {
  createRemboursementIfTropPercu, engagementAmounts, findRemboursement, insertRupture, lockOwnRemboursement, markRemboursementDeclared, pageOfRemboursements,
  type RemboursementListItem, type RemboursementRow,
} from '../db/remboursements.js';
import type { ParametresFinancement } from '../domain/financing/index.js';
import { calendarDateOf } from '../domain/formats.js';
import {
  planDeclaration, checkDeclarationRupture, type InitiativeRupture, type ModeRemboursement, type MotifRupture,
} from '../domain/invoicing/index.js';
import { Refusal, refuse } from '../domain/refusal.js';
import type { CfaActor } from './actor.js';
import { ownDossier } from './dossiers.js';

/** The (schema-valid) body of POST /dossiers/rupture/employeur. */
export interface RuptureRequest {
  numeroInterne: string;
  dateRupture: string;
  motif: MotifRupture;
  initiative: InitiativeRupture;
  commentaire?: string | null;
}

export interface DeclaredRupture {
  dossier: DossierRow;
  dateRupture: string;
  motif: MotifRupture;
  initiative: InitiativeRupture;
  /** The recomputed engagement (absent when the dossier has none). */
  engagement: { engagementCents: number; tropPercuCents: number } | undefined;
  remboursement: RemboursementListItem | undefined;
}

const initiativeText = (i: InitiativeRupture): string => (i === 'COMMUN' ? 'commune' : `de l'${i === 'EMPLOYEUR' ? 'employeur' : 'apprenti'}`);

/** The CFA declares the early end of its engaged dossier: RUPTURE, recomputed entitlement, refund when overpaid. */
export async function declareRupture(db: Knex, cfa: CfaActor, demande: RuptureRequest, parametres: ParametresFinancement): Promise<DeclaredRupture> {
  const texte = demande.commentaire?.trim() || undefined;
  const { motif, initiative } = demande;
  const incoherences = checkDeclarationRupture({ motif, initiative, ...(texte ? { commentaire: texte } : {}) });
  if (incoherences.length) throw refuse.invalid(incoherences);
  const numero = demande.numeroInterne;
  const dossier = await ownDossier(db, cfa, numero);
  const dateRupture = calendarDateOf(demande.dateRupture);

  let remboursement: RemboursementRow | undefined;
  const commentaire = `Rupture déclarée par le CFA : motif ${motif}, à l'initiative ${initiativeText(initiative)}${texte ? ` — ${texte}` : ''}`;
  const outcome = await moveDossier(db, numero, { vers: 'RUPTURE', dateRupture, commentaire }, { acteur: cfa.acteur }, parametres, async (trx, d) => {
    await insertRupture(trx, { dossierId: d.id, cfaSiren: d.cfa_siren, dateRupture, motif, initiative, commentaire: texte ?? null, acteur: cfa.acteur });
    remboursement = await createRemboursementIfTropPercu(trx, d);
    await recordWrite(trx, cfa.author, 'RUPTURE_DECLAREE', { type: 'DOSSIER', id: numero });
  });
  if (!outcome.ok) {
    const title = 'Rupture refusée';
    switch (outcome.kind) {
      case 'not-found':
        throw refuse.notFound('DOSSIER_INTROUVABLE', `Aucun dossier ${numero} pour ce CFA.`);
      case 'financing':
        throw refuse.unprocessable([{ ...outcome.violation, champ: outcome.violation.champ || '/dateRupture' }], { title: 'Rupture impossible' });
      case 'blocked':
        throw refuse.conflicts(outcome.violations, { title });
      case 'refused': {
        const { plan } = outcome;
        const description = plan.code === 'ETAT_INCHANGE' || plan.code === 'TRANSITION_INTERDITE'
          ? `Le dossier ${numero} est à l'état ${plan.code === 'ETAT_INCHANGE' ? 'RUPTURE' : dossier.etat} : seule la rupture d'un dossier engagé (ENGAGE) peut être déclarée.`
          : plan.description;
        const surLaDate = plan.code.startsWith('DATE_RUPTURE');
        const violation = { code: plan.code, description, champ: surLaDate ? '/dateRupture' : '/numeroInterne', section: 'requete' as const };
        throw surLaDate ? refuse.invalid([violation], { title }) : refuse.conflicts([violation], { title });
      }
    }
  }
  return {
    dossier: outcome.dossier,
    dateRupture,
    motif,
    initiative,
    engagement: await engagementAmounts(db, outcome.dossier.id),
    remboursement: remboursement ? await findRemboursement(db, remboursement.numero_interne) : undefined,
  };
}

// ---------------------------------------------------------------------------------- refunds

export function pageOfOwnRemboursements(
  db: Knex, cfa: Pick<CfaActor, 'siren'>, q: { etat?: string | undefined; page: number; size: number },
): Promise<{ total: number; items: RemboursementListItem[] }> {
  return pageOfRemboursements(db, { siren: cfa.siren, ...(q.etat ? { etat: q.etat } : {}), page: q.page, size: q.size });
}

/** The CFA declares how it regularises its refund (transfer, or deduction on an avoir). */
export async function declareRemboursement(
  db: Knex,
  cfa: CfaActor,
  numeroInterne: string,
  declaration: { mode: ModeRemboursement; referenceAvoir?: string },
): Promise<RemboursementListItem> {
  return db.transaction(async (trx) => {
    const r = await lockOwnRemboursement(trx, cfa.siren, numeroInterne);
    if (!r) throw refuse.notFound('REMBOURSEMENT_INTROUVABLE', `Aucun remboursement ${numeroInterne} pour ce CFA.`);
    const plan = planDeclaration(r.etat, declaration.mode, declaration.referenceAvoir);
    if (!plan.ok) {
      if ('violations' in plan) throw refuse.invalid(plan.violations);
      throw new Refusal('conflict', [{ code: plan.code, description: plan.description, section: 'requete' }], { title: 'Déclaration refusée' });
    }
    await markRemboursementDeclared(trx, r.id, {
      etat: plan.vers,
      mode: declaration.mode,
      referenceAvoir: declaration.mode === 'AVOIR_DEDUCTION' ? declaration.referenceAvoir?.trim() ?? null : null,
    });
    await recordWrite(trx, cfa.author, 'REMBOURSEMENT_DECLARE', { type: 'REMBOURSEMENT', id: numeroInterne });
    const declared = await findRemboursement(trx, numeroInterne, cfa.siren);
    if (!declared) throw new Error('remboursement vanished');
    return declared;
  });
}
