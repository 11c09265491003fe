/**
 * Checks on the money side of a dossier that a state change must pass, run by `moveDossier` on the
 * locked row (and by the back office's "can it be closed?" read): nothing left to pay before SOLDE,
 * no money moved before ANNULE.
 */
import type { Knex } from 'knex';
import { normalizeCerfa } from '../domain/cerfa/normalize.js';
import { formatEuros, type IsoDate } from '../domain/financing/index.js';
import { motifsRefusSolde } from '../domain/invoicing/index.js';
import { MACHINE_DOSSIER, planDossierTransition } from '../domain/lifecycle/index.js';
import type { Violation } from '../domain/violation.js';
import type { DossierRow } from './dossiers.js';

/** The states a dossier is closed (SOLDE) from, as the life cycle says. */
const SOLDABLES = MACHINE_DOSSIER.transitions.filter((t) => t.vers === 'SOLDE').flatMap((t) => t.de);

/**
 * Why the dossier cannot become SOLDE yet (empty when it can): its state first (only ENGAGE or
 * RUPTURE close), then `motifsRefusSolde`. The end is the rupture date when there was one, else the
 * contract's planned end.
 */
export async function motifsRefusSoldeDossier(db: Knex, dossier: Pick<DossierRow, 'id' | 'cerfa' | 'etat'>, aujourdHui: IsoDate): Promise<Violation[]> {
  if (!planDossierTransition(dossier.etat, { vers: 'SOLDE' }).ok) {
    return [{ code: 'ETAT_NON_SOLDABLE', description: `Le dossier est à l'état ${dossier.etat} : seuls les dossiers ${SOLDABLES.join(' ou ')} se soldent.`, champ: '/vers', section: 'requete' }];
  }
  const [echeances, rupture, attente, impaye] = await Promise.all([
    db('echeances').where({ dossier_id: dossier.id }).orderBy('numero') as Promise<Array<{
      codification: string; montant_total_centimes: string; montant_regle_centimes: string; montant_en_cours_centimes: string; date_limite_facturation: string | null;
    }>>,
    db('ruptures').where({ dossier_id: dossier.id }).first('date_rupture') as Promise<{ date_rupture: string } | undefined>,
    db('remboursements').where({ dossier_id: dossier.id }).whereNot({ etat: 'RECU' }).count<{ n: string }[]>({ n: '*' }),
    db('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id').where('l.dossier_id', dossier.id).whereNot('f.etat', 'REJETEE')
      .select(db.raw('coalesce(sum(l.montant_centimes - l.montant_regle_centimes), 0) as n')) as Promise<Array<{ n: string | number }>>,
  ]);
  const engagement = (await db('engagements').where({ dossier_id: dossier.id }).first('details')) as { details: { rupture?: { dateRupture?: string } } } | undefined;
  const dateFin = rupture?.date_rupture ?? engagement?.details.rupture?.dateRupture ?? normalizeCerfa(dossier.cerfa).contrat.dateFinContrat;
  return motifsRefusSolde({
    dateFin,
    aujourdHui,
    remboursementsEnAttente: Number(attente[0]?.n ?? 0),
    facturesImpayeesCents: Number(impaye[0]?.n ?? 0),
    echeances: echeances.map((e) => ({
      codification: e.codification,
      montantTotalCents: Number(e.montant_total_centimes),
      montantRegleCents: Number(e.montant_regle_centimes),
      montantEnCoursCents: Number(e.montant_en_cours_centimes),
      dateLimiteFacturation: e.date_limite_facturation,
    })),
  });
}

/**
 * Why an engaged dossier cannot simply be cancelled: money already paid on it (that is a rupture
 * with a trop-perçu, not a cancellation) or invoices still being processed (reject them first).
 */
export async function motifsRefusAnnulation(db: Knex, dossierId: string): Promise<Violation[]> {
  const [echeances, lignes] = await Promise.all([
    db('echeances').where({ dossier_id: dossierId })
      .select(db.raw('coalesce(sum(montant_regle_centimes), 0) as regle, coalesce(sum(montant_en_cours_centimes), 0) as en_cours')) as Promise<Array<{ regle: string | number; en_cours: string | number }>>,
    db('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id').where('l.dossier_id', dossierId).whereNotIn('f.etat', ['REJETEE'])
      .select(db.raw('coalesce(sum(l.montant_regle_centimes), 0) as regle, coalesce(sum(l.montant_centimes - l.montant_regle_centimes), 0) as impaye')) as Promise<Array<{ regle: string | number; impaye: string | number }>>,
  ]);
  const regle = Math.max(Number(echeances[0]?.regle ?? 0), Number(lignes[0]?.regle ?? 0));
  const pending = Math.max(Number(echeances[0]?.en_cours ?? 0), Number(lignes[0]?.impaye ?? 0));
  const out: Violation[] = [];
  if (regle > 0) {
    out.push({ code: 'DOSSIER_DEJA_REGLE', description: `${formatEuros(regle)} ont déjà été réglés sur ce dossier : enregistrez une rupture (le trop-perçu devient un remboursement) plutôt qu'une annulation.`, champ: '/vers', section: 'requete' });
  }
  if (pending > 0) {
    out.push({ code: 'FACTURE_EN_COURS', description: `${formatEuros(pending)} sont facturés et non réglés sur ce dossier : rejetez d'abord ces factures.`, champ: '/vers', section: 'requete' });
  }
  return out;
}

/**
 * Why a dossier cannot be broken: its solde was declared. The rupture's recomputation starts from the
 * initial engagement and would engage again what the declaration released.
 */
export async function motifsRefusRupture(db: Knex, dossierId: string): Promise<Violation[]> {
  const declaration = (await db('declarations_solde').where({ dossier_id: dossierId }).first('numero_interne')) as { numero_interne: string } | undefined;
  return declaration
    ? [{ code: 'SOLDE_DEJA_DECLARE', description: `Le solde de ce dossier a été déclaré (déclaration n° ${declaration.numero_interne}) : il ne peut plus être rompu.`, champ: '/numeroInterne', section: 'requete' }]
    : [];
}
