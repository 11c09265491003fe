/**
 * Declarations de solde des dossiers échus (`POST /v2/dossiers/solde`): the CFA declares it will
 * invoice nothing more on a dossier whose billing period has ended. In one transaction what remains
 * engaged is released, the declaration is kept, the dossier leaves the list of échus and, when
 * nothing is pending any more, it is closed (SOLDE). Otherwise the declaration waits: the services
 * that end an invoice (payment, rejection) or a refund call `settleDeclarationsSolde` within their
 * own transaction, which releases what a rejection gave back and closes the dossier once the last
 * pending item ends. Choices: docs/decisions/pilotage-echus.md.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { lockDossier, recordDossierChange } from '../db/dossier-changes.js';
import { motifsRefusSoldeDossier } from '../db/dossier-guards.js';
import type { DossierRow } from '../db/dossiers.js';
import { deleteEchu } from '../db/echus.js';
import {
  billingOf, findDeclarationSolde, insertDeclarationSolde, findDossierById, lockPendingDeclarations, releaseRemaining, updateDeclarationSolde,
  type DeclarationSoldeRow,
} from '../db/soldes.js';
import { isUniqueViolation } from '../db/factures.js';
import { parisDate } from '../domain/dates.js';
import { formatEuros } from '../domain/financing/index.js';
import { ETATS_DOSSIER_ECHUS, finPeriodeFacturation, periodeTerminee } from '../domain/invoicing/index.js';
import { LIBELLES_EVENEMENT_DOSSIER } from '../domain/lifecycle/index.js';
import { refuse } from '../domain/refusal.js';
import type { CfaActor } from './actor.js';

/** The (schema-valid) body of POST /v2/dossiers/solde. */
export interface DeclarationSoldeDemande {
  numeroInterne: string;
  commentaire?: string | null | undefined;
}

export interface DeclaredSolde {
  declaration: DeclarationSoldeRow;
  dossier: DossierRow;
}

export const COMMENTAIRE_DECLARATION = LIBELLES_EVENEMENT_DOSSIER.DECLARATION_SOLDE;

const frDate = (iso: string): string => iso.split('-').reverse().join('/');
const alreadyDeclared = (numero: string) => refuse.conflict('SOLDE_DEJA_DECLARE', `Le solde du dossier ${numero} a déjà été déclaré.`, { title: 'Déclaration de solde refusée' });

/** Closes the dossier (the state machine allows SOLDE from ENGAGE and RUPTURE, the only states declared). */
async function closeDossier(trx: Knex.Transaction, d: DossierRow, acteur: string, commentaire: string): Promise<DossierRow> {
  return recordDossierChange(trx, d, { etat: 'SOLDE', commentaire_etat: commentaire, mise_en_conformite: false }, { evenement: 'ETAT', etat: 'SOLDE', acteur, commentaire });
}

/** The CFA declares the final balance of its dossier: release, declaration, and SOLDE when nothing is pending. */
export async function declareSolde(db: Knex, cfa: CfaActor, demande: DeclarationSoldeDemande): Promise<DeclaredSolde> {
  const numero = demande.numeroInterne;
  const texte = demande.commentaire?.trim() || null;
  const aujourdHui = parisDate();
  try {
    return await db.transaction(async (trx) => {
      const d = await lockDossier(trx, numero);
      // Another CFA's dossier answers exactly like a missing one.
      if (!d || d.cfa_siren !== cfa.siren) throw refuse.notFound('DOSSIER_INTROUVABLE', `Aucun dossier ${numero} pour ce CFA.`);
      if (await findDeclarationSolde(trx, d.id)) throw alreadyDeclared(numero);
      if (!ETATS_DOSSIER_ECHUS.includes(d.etat)) {
        throw refuse.conflict('DOSSIER_NON_SOLDABLE', `Le dossier ${numero} est à l'état ${d.etat} : seul le solde d'un dossier engagé (ENGAGE) ou rompu (RUPTURE) se déclare.`, { title: 'Déclaration de solde refusée' });
      }
      const fin = finPeriodeFacturation(await billingOf(trx, d.id));
      if (fin === undefined || !periodeTerminee(fin, aujourdHui)) {
        const quand = fin ? `court jusqu'au ${frDate(fin)}` : "n'a pas d'échéancier";
        throw refuse.conflict('PERIODE_FACTURATION_EN_COURS', `La période de facturation du dossier ${numero} ${quand} : le solde se déclare une fois la période terminée.`, { title: 'Déclaration de solde refusée' });
      }

      const plan = await releaseRemaining(trx, d.id);
      const pending = await motifsRefusSoldeDossier(trx, d, aujourdHui);
      const etat = pending.length === 0 ? 'SOLDE' : 'EN_ATTENTE';
      // Inserted before the échu row is touched: the daily job locks this table first (src/db/echus.ts).
      const declaration = await insertDeclarationSolde(trx, {
        cfaSiren: d.cfa_siren, dossierId: d.id, commentaire: texte, montantLibereCents: plan.echeancesCents + plan.fraisCents, etat, acteur: cfa.acteur,
      });
      await deleteEchu(trx, d.id);
      const commentaire = texte ? `${COMMENTAIRE_DECLARATION} — ${texte}` : COMMENTAIRE_DECLARATION;
      let dossier = await recordDossierChange(trx, d, {}, { evenement: 'DECLARATION_SOLDE', etat: d.etat, acteur: cfa.acteur, commentaire });
      if (etat === 'SOLDE') dossier = await closeDossier(trx, dossier, cfa.acteur, `Soldé sur déclaration de solde n° ${declaration.numero_interne} (${formatEuros(Number(declaration.montant_libere_centimes))} libérés)`);
      await recordWrite(trx, cfa.author, 'SOLDE_DECLARE', { type: 'DOSSIER', id: numero });
      return { declaration, dossier };
    });
  } catch (err) {
    // Two declarations raced past the check (the dossier lock makes it unlikely): the index decides.
    if (isUniqueViolation(err, 'declarations_solde_dossier_id')) throw alreadyDeclared(numero);
    throw err;
  }
}

/**
 * Called, inside their transaction, by the services that end an invoice (payment to REGLE,
 * rejection) or a refund: for each of these dossiers whose declaration de solde still waits, what
 * came back is released and, when nothing is pending any more, the dossier is closed (SOLDE).
 */
export async function settleDeclarationsSolde(trx: Knex.Transaction, dossierIds: readonly string[], acteur: string): Promise<void> {
  const aujourdHui = parisDate();
  for (const declaration of await lockPendingDeclarations(trx, dossierIds)) {
    const plan = await releaseRemaining(trx, declaration.dossier_id);
    const libere = plan.echeancesCents + plan.fraisCents;
    const d = await findDossierById(trx, declaration.dossier_id);
    if (!d) continue;
    // Closed meanwhile by the back office: the declaration is fulfilled all the same.
    const solde = d.etat === 'SOLDE' || (await motifsRefusSoldeDossier(trx, d, aujourdHui)).length === 0;
    await updateDeclarationSolde(trx, declaration.id, { libereCents: libere, solde });
    let dossier = d;
    if (libere > 0) {
      dossier = await recordDossierChange(trx, dossier, {}, {
        evenement: 'DECLARATION_SOLDE', etat: dossier.etat, acteur, commentaire: `${COMMENTAIRE_DECLARATION} : ${formatEuros(libere)} rendus par une facture rejetée, libérés`,
      });
    }
    if (solde && dossier.etat !== 'SOLDE') {
      await closeDossier(trx, dossier, acteur, `Soldé sur déclaration de solde n° ${declaration.numero_interne} : plus rien n'est en attente sur le dossier`);
    }
  }
}
