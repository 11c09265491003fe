/**
 * Draft facturations of a CFA ("Facturation à l'OPCO"), in three resumable steps: create a draft
 * (dossiers and kind), change it (échéances and quantities, or abandon it), deposit it as one
 * invoice through `depositFacture` — the very checks and storage of POST /v1/factures — in the
 * same transaction, so a refused deposit leaves the draft as it was. Each save runs in one
 * transaction that locks the draft, writes its audit line and leaves nothing half-written; another
 * CFA's draft or dossier is refused like a missing one. Rules: docs/decisions/pilotage-facturations.md.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { isUniqueViolation, peekSuiviDossiers, suiviDossiers, type Fichier } from '../db/factures.js';
import {
  closeFacturation, deleteLignes, dossiersOfFacturation, findFacturation, insertFacturation, lignesOfFacturation, lignesReservees, lockFacturation, numeroOfFacture,
  replaceLignes, saveFacturation, setDossiers, type DossierDeFacturation, type FacturationRow, type LigneDeFacturationRow,
} from '../db/facturations.js';
import { parisDate } from '../domain/dates.js';
import { centsToEuros, type IsoDate } from '../domain/financing/index.js';
import {
  checkDossiersChoisis, checkModification, echeancesOuvertes, etapeOf, factureOfFacturation, findConflits, inEntryOrder, planLignes, pointerOfDepot, pourDeposer, readLignesChoisies,
  type DepotDemande, type DossierSuivi, type EcheanceOuverte, type FactureDemandee, type LigneBrouillon, type LigneChoisieRecue, type NatureFacturation, type PourDeposer,
} from '../domain/invoicing/index.js';
import { Refusal, refuse } from '../domain/refusal.js';
import type { CfaActor } from './actor.js';
import { depositFacture, type DepositedFacture } from './factures.js';

export interface FacturationDetail {
  facturation: FacturationRow;
  /** While EN_COURS, what each dossier could still take in this kind (empty once closed). */
  dossiers: Array<DossierDeFacturation & { echeancesOuvertes: EcheanceOuverte[] }>;
  lignes: LigneDeFacturationRow[];
  numeroInterneFacture: string | null;
  pourDeposer: PourDeposer;
}

/** The (schema-valid) body of PATCH /v2/facturations/{id}. */
export interface ModificationRecue {
  nature?: NatureFacturation;
  dossiers?: readonly string[];
  lignes?: readonly LigneChoisieRecue[];
  etat?: 'ABANDONNEE';
}

const notFound = (numero: string): Refusal => refuse.notFound('FACTURATION_INTROUVABLE', `Aucune facturation ${numero} pour ce CFA.`);

async function lockOwn(trx: Knex.Transaction, cfa: Pick<CfaActor, 'siren'>, numero: string): Promise<FacturationRow> {
  const f = await lockFacturation(trx, cfa.siren, numero);
  if (!f) throw notFound(numero);
  if (f.etat !== 'EN_COURS') {
    throw refuse.conflict('FACTURATION_NON_MODIFIABLE', `La facturation ${numero} est à l'état ${f.etat} : seule une facturation en cours (EN_COURS) se modifie ou se dépose.`);
  }
  return f;
}

/** Step 1: the CFA's dossiers named by `refs` (404 for every unknown one), each invoiceable in this kind today (409 otherwise). */
async function checkedDossiers(trx: Knex.Transaction, cfa: Pick<CfaActor, 'siren'>, nature: NatureFacturation, refs: readonly string[], today: IsoDate, draftId?: string): Promise<string[]> {
  const suivis = await suiviDossiers(trx, cfa.siren, refs);
  const ailleurs = await lignesReservees(trx, idsOf(suivis), draftId);
  const { inconnus, erreurs } = checkDossiersChoisis(nature, refs, suivis, today, ailleurs);
  if (inconnus.length) throw new Refusal('not-found', inconnus, { title: 'Dossiers introuvables' });
  if (erreurs.length) throw refuse.conflicts(erreurs, { title: 'Dossiers non facturables' });
  return [...new Set(refs.flatMap((r) => suivis.get(r)?.id ?? []))];
}

function idsOf(suivis: ReadonlyMap<string, DossierSuivi>): string[] {
  return [...new Set([...suivis.values()].map((d) => d.id))];
}

/** Step 1: a new draft of `nature` on the CFA's dossiers. */
export async function createFacturation(db: Knex, cfa: CfaActor, demande: { nature: NatureFacturation; dossiers: readonly string[] }, now: Date): Promise<FacturationDetail> {
  const numero = await db.transaction(async (trx) => {
    const ids = await checkedDossiers(trx, cfa, demande.nature, demande.dossiers.map((d) => d.trim()), parisDate(now));
    const f = await insertFacturation(trx, cfa.siren, demande.nature);
    await setDossiers(trx, f.id, ids);
    await saveFacturation(trx, f.id, {});
    await recordWrite(trx, cfa.author, 'FACTURATION_CREEE', { type: 'FACTURATION', id: f.numero_interne });
    return f.numero_interne;
  });
  return readFacturation(db, cfa, numero, now);
}

/**
 * Saves step 1 again (nature, dossiers: the lines of dropped dossiers go, a new nature drops them
 * all) and/or step 2 (the lines replace the draft's), or abandons the draft. Lines are refused
 * with every reason (400), or with the other drafts holding their échéances (409).
 */
export async function changeFacturation(db: Knex, cfa: CfaActor, numero: string, demande: ModificationRecue, now: Date): Promise<FacturationDetail> {
  const lecture = demande.lignes ? readLignesChoisies(demande.lignes) : undefined;
  const m = { ...demande, dossiers: demande.dossiers?.map((d) => d.trim()), lignes: lecture?.lignes };
  const invalid = checkModification(m);
  if (invalid.length) throw refuse.invalid(invalid);
  const today = parisDate(now);
  // Kept for the answer when a concurrent save takes an échéance between our check and our insert.
  let tried: { lignes: LigneBrouillon[]; suivis: ReadonlyMap<string, DossierSuivi>; draftId: string } | undefined;
  try {
    await db.transaction(async (trx) => {
      const f = await lockOwn(trx, cfa, numero);
      if (m.etat === 'ABANDONNEE') {
        await closeFacturation(trx, f.id, { etat: 'ABANDONNEE' });
        await recordWrite(trx, cfa.author, 'FACTURATION_ABANDONNEE', { type: 'FACTURATION', id: numero });
        return;
      }
      const nature = m.nature ?? f.nature;
      if (m.nature !== undefined || m.dossiers !== undefined) {
        const refs = m.dossiers ?? (await dossiersOfFacturation(trx, f.id)).map((d) => d.numero_interne);
        const ids = await checkedDossiers(trx, cfa, nature, refs, today, f.id);
        if (nature !== f.nature) await deleteLignes(trx, f.id);
        await setDossiers(trx, f.id, ids);
      }
      if (lecture && m.lignes) {
        const suivis = await suiviDossiers(trx, cfa.siren, (await dossiersOfFacturation(trx, f.id)).map((d) => d.numero_interne));
        const plan = planLignes(nature, m.lignes, suivis, await lignesReservees(trx, idsOf(suivis), f.id), today);
        const erreurs = inEntryOrder([...lecture.erreurs, ...plan.erreurs]);
        if (erreurs.length) throw refuse.invalid(erreurs);
        if (plan.conflits.length) throw refuse.conflicts(plan.conflits, { title: 'Échéances déjà retenues' });
        tried = { lignes: plan.lignes, suivis, draftId: f.id };
        await replaceLignes(trx, f.id, plan.lignes);
      }
      await saveFacturation(trx, f.id, { nature, etape: etapeOf(m) });
      await recordWrite(trx, cfa.author, 'FACTURATION_MODIFIEE', { type: 'FACTURATION', id: numero });
    });
  } catch (err) {
    if (tried && isUniqueViolation(err, 'facturations_lignes_actives')) {
      const conflits = findConflits(tried.lignes, await lignesReservees(db, idsOf(tried.suivis), tried.draftId), tried.suivis);
      throw refuse.conflicts(conflits.length ? conflits : [{ code: 'FACTURATION_CONCURRENTE', description: 'Une autre facturation vient de retenir une de ces échéances : relisez la facturation et réessayez.', champ: '/lignes', section: 'requete' }], { title: 'Échéances déjà retenues' });
    }
    throw err;
  }
  return readFacturation(db, cfa, numero, now);
}

/** A refusal of the invoice checks, pointing into the deposit's request (`/lignes/i/…`, `/depot/…`). */
function inDepotTerms(err: unknown, racine: string): unknown {
  if (!(err instanceof Refusal)) return err;
  return new Refusal(err.kind, err.violations.map((v) => (v.champ === undefined ? v : { ...v, champ: pointerOfDepot(v.champ, racine) })), err.options);
}

export interface DepositedFacturation {
  detail: FacturationDetail;
  deposited: DepositedFacture;
}

/**
 * Step 3: the draft becomes one invoice of all its lines, checked and stored by `depositFacture`
 * inside this transaction (a savepoint), then the draft is DEPOSEE with its invoice and its lines
 * stop holding their échéances. Any refusal rolls everything back: the draft stays EN_COURS.
 */
export async function depositFacturation(
  db: Knex, cfa: CfaActor, numero: string, depot: DepotDemande, racine: string,
  fileOf: (facture: FactureDemandee) => Omit<Fichier, 'editeur'>, now: Date, strict = false,
): Promise<DepositedFacturation> {
  const deposited = await db.transaction(async (trx) => {
    const f = await lockOwn(trx, cfa, numero);
    const lignes = await lignesOfFacturation(trx, f.id);
    if (lignes.length === 0) {
      throw refuse.conflict('FACTURATION_SANS_LIGNE', `La facturation ${numero} n'a aucune ligne : choisissez les échéances (étape 2) avant le dépôt.`);
    }
    const contenu = factureOfFacturation(depot, lignes.map((l) => ({
      numeroInterneDossier: l.numero_interne, numeroEcheance: l.numero_echeance, codification: l.codification, nature: l.nature, quantite: l.quantite, montantCents: Number(l.montant_centimes),
    })), centsToEuros);
    let d: DepositedFacture;
    try {
      d = await depositFacture(trx, cfa, contenu, fileOf, now, strict);
    } catch (err) {
      throw inDepotTerms(err, racine);
    }
    await closeFacturation(trx, f.id, { etat: 'DEPOSEE', factureId: d.facture.id });
    await recordWrite(trx, cfa.author, 'FACTURATION_DEPOSEE', { type: 'FACTURATION', id: numero });
    return { ...d, avertissements: d.avertissements.map((v) => ({ ...v, champ: pointerOfDepot(v.champ, racine) })) };
  });
  return { detail: await readFacturation(db, cfa, numero, now), deposited };
}

/** The CFA's draft as saved, with what is still open on its dossiers and what step 3 needs. */
export async function readFacturation(db: Knex, cfa: Pick<CfaActor, 'siren'>, numero: string, now: Date): Promise<FacturationDetail> {
  const f = await findFacturation(db, cfa.siren, numero);
  if (!f) throw notFound(numero);
  const [dossiers, lignes] = await Promise.all([dossiersOfFacturation(db, f.id), lignesOfFacturation(db, f.id)]);
  const enCours = f.etat === 'EN_COURS';
  const suivis = enCours ? await peekSuiviDossiers(db, cfa.siren, dossiers.map((d) => d.numero_interne)) : new Map<string, DossierSuivi>();
  const ailleurs = enCours ? await lignesReservees(db, idsOf(suivis), f.id) : [];
  const today = parisDate(now);
  return {
    facturation: f,
    dossiers: dossiers.map((d) => {
      const suivi = suivis.get(d.numero_interne);
      return { ...d, echeancesOuvertes: suivi ? echeancesOuvertes(suivi, f.nature, today, ailleurs) : [] };
    }),
    lignes,
    numeroInterneFacture: f.facture_id ? ((await numeroOfFacture(db, f.facture_id)) ?? null) : null,
    pourDeposer: pourDeposer(f.etat, lignes.map((l) => ({ numeroInterneDossier: l.numero_interne, numeroEcheance: l.numero_echeance, nature: l.nature })), suivis),
  };
}
