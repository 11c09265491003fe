/**
 * When a dossier may be closed (SOLDE): its end (planned end, or rupture date) is past, nothing is
 * still being processed, every échéance is paid — except a balance whose invoicing deadline passed
 * unused (then it is no longer due, R6332-25 III 4°) — and no refund is still awaited.
 */
import { formatEuros, type Cents, type IsoDate } from '../financing/index.js';
import type { Violation } from '../violation.js';

export interface EcheancePourSolde {
  codification: string;
  montantTotalCents: Cents;
  montantRegleCents: Cents;
  montantEnCoursCents: Cents;
  dateLimiteFacturation: IsoDate | null;
}

export interface DossierPourSolde {
  /** Planned end of the contract, or the rupture date. */
  dateFin: IsoDate;
  aujourdHui: IsoDate;
  echeances: readonly EcheancePourSolde[];
  /** Refunds not yet received by the OPCO. */
  remboursementsEnAttente: number;
  /**
   * Unpaid amount of the dossier's invoice lines that are not rejected — frais annexes included,
   * which the échéances do not track.
   */
  facturesImpayeesCents?: Cents;
}

const v = (code: string, description: string): Violation => ({ code, description, champ: '/vers', section: 'requete' });

/** Every reason why the dossier cannot be closed yet (empty: it can). */
export function motifsRefusSolde(d: DossierPourSolde): Violation[] {
  const out: Violation[] = [];
  if (d.dateFin >= d.aujourdHui) {
    out.push(v('FIN_NON_ATTEINTE', `Le contrat court jusqu'au ${d.dateFin.split('-').reverse().join('/')} : un dossier se solde après sa fin.`));
  }
  for (const e of d.echeances) {
    if (e.montantEnCoursCents > 0) {
      out.push(v('FACTURE_EN_COURS', `${formatEuros(e.montantEnCoursCents)} sont encore en cours d'instruction sur l'échéance ${e.codification}.`));
    }
    const prescrit = e.dateLimiteFacturation !== null && d.aujourdHui > e.dateLimiteFacturation;
    if (e.montantRegleCents < e.montantTotalCents && e.montantEnCoursCents === 0 && !prescrit) {
      out.push(v('ECHEANCE_NON_REGLEE', `L'échéance ${e.codification} n'est pas réglée : ${formatEuros(e.montantRegleCents)} sur ${formatEuros(e.montantTotalCents)}.`));
    }
  }
  if ((d.facturesImpayeesCents ?? 0) > 0) {
    out.push(v('FACTURE_NON_REGLEE', `${formatEuros(d.facturesImpayeesCents ?? 0)} facturés sur ce dossier ne sont pas encore réglés (factures non rejetées).`));
  }
  if (d.remboursementsEnAttente > 0) {
    out.push(v('REMBOURSEMENT_EN_ATTENTE', `${d.remboursementsEnAttente} remboursement(s) de trop-perçu ne sont pas encore reçus.`));
  }
  return out;
}
