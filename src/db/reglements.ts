/**
 * Payments (règlements): one transfer of the OPCO to one CFA settles one or more validated
 * invoices, in part or whole. In the caller's transaction the invoices are locked, each payment line is
 * spread over its invoice's lines in line order (`splitReglement`), the échéances' amounts move
 * from "en cours d'instruction" to "réglé", and each invoice becomes REGLE_PARTIELLEMENT or REGLE.
 */
import type { Knex } from 'knex';
import { insertWithNewNumero } from './numeros.js';
import { formatEuros, type IsoDate } from '../domain/financing/index.js';
import {
  etatAfterReglement, mouvementsReglement, splitReglement,
} from '../domain/invoicing/index.js';
import { planFactureTransition, type EtatFacture } from '../domain/lifecycle/index.js';
import type { Violation } from '../domain/violation.js';
import type { Actor } from './dossier-changes.js';
import {
  applyMouvements, updateFacture, asLignesEnCompte, recordFactureHistory, isUniqueViolation, Refus, type FactureRow, type LigneRow,
} from './factures.js';

/** States in which an invoice can be paid. */
export const ETATS_REGLABLES: readonly EtatFacture[] = ['VALIDEE', 'REGLE_PARTIELLEMENT'];

export interface LigneReglementDemandee {
  /** Position in `lignes` (for error pointers). */
  index: number;
  numeroInterneFacture: string;
  montantCents: number;
}

export interface NouveauReglement {
  referenceVirement: string;
  dateReglement: IsoDate;
  lignes: LigneReglementDemandee[];
}

export interface ReglementRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  reference_virement: string;
  date_reglement: string;
  montant_centimes: string;
  acteur: string;
  enregistre_le: Date;
}

export interface SettledReglement {
  reglement: ReglementRow;
  /** The invoices paid, after the payment. */
  factures: FactureRow[];
}

const v = (code: string, description: string, champ: string): Violation => ({ code, description, champ, section: 'requete' });

interface EcheanceDue {
  codification: string;
  dossier: string;
  totalCents: number;
  regleCents: number;
}

/**
 * Records a payment inside the caller's transaction (see src/services/back-office-factures.ts):
 * every reason to refuse it is thrown at once as a `Refus`, before anything is written.
 */
export async function insertReglement(trx: Knex.Transaction, input: NouveauReglement, actor: Actor): Promise<SettledReglement> {
  const numeros = [...new Set(input.lignes.map((l) => l.numeroInterneFacture))];
  const factures = (await trx('factures').whereIn('numero_interne', numeros).orderBy('id').forUpdate()) as FactureRow[];
  const parNumero = new Map(factures.map((f) => [f.numero_interne, f]));
  const violations: Violation[] = [];
  const vues = new Set<string>();
  let siren: string | undefined;
  for (const l of input.lignes) {
    const champ = `/lignes/${l.index}`;
    const f = parNumero.get(l.numeroInterneFacture);
    if (!f) {
      violations.push(v('FACTURE_INCONNUE', `Aucune facture ${l.numeroInterneFacture}.`, `${champ}/numeroInterneFacture`));
      continue;
    }
    if (vues.has(f.numero_interne)) {
      violations.push(v('FACTURE_EN_DOUBLE', `La facture ${f.numero_interne} figure déjà dans ce règlement : une ligne par facture.`, `${champ}/numeroInterneFacture`));
      continue;
    }
    vues.add(f.numero_interne);
    siren ??= f.cfa_siren;
    if (f.cfa_siren !== siren) {
      violations.push(v('REGLEMENT_MULTI_CFA', `La facture ${f.numero_interne} est d'un autre CFA (${f.cfa_siren}) que la première (${siren}) : un virement règle un seul CFA.`, `${champ}/numeroInterneFacture`));
    }
    if (!ETATS_REGLABLES.includes(f.etat)) {
      violations.push(v('FACTURE_NON_REGLABLE', `La facture ${f.numero_interne} est à l'état ${f.etat} : seules les factures VALIDEE ou REGLE_PARTIELLEMENT se règlent.`, `${champ}/numeroInterneFacture`));
      continue;
    }
    const reste = Number(f.montant_total_centimes) - Number(f.montant_regle_centimes);
    if (l.montantCents > reste) {
      violations.push(v('MONTANT_SUPERIEUR_AU_RESTE_DU', `Montant ${formatEuros(l.montantCents)} supérieur au reste à régler de la facture ${f.numero_interne} : ${formatEuros(reste)}.`, `${champ}/montant`));
    }
  }
  if (siren && (await trx('reglements').where({ cfa_siren: siren, reference_virement: input.referenceVirement }).first('id'))) {
    violations.push(v('REFERENCE_VIREMENT_DEJA_UTILISEE', `Le virement ${input.referenceVirement} est déjà enregistré pour ce CFA.`, '/referenceVirement'));
  }
  if (violations.length || !siren) throw new Refus(violations);

  // Spread every payment line, then check that no échéance gets paid above what is due
  // (after a rupture an invoice may exceed the recomputed échéance).
  const lignesParFacture = new Map<string, LigneRow[]>();
  for (const f of factures) lignesParFacture.set(f.id, (await trx('factures_lignes').where({ facture_id: f.id }).orderBy('rang').forUpdate()) as LigneRow[]);
  const dossierIds = [...new Set([...lignesParFacture.values()].flat().map((l) => String(l.dossier_id)))];
  // Dossiers FOR SHARE first, like a deposit: a concurrent rupture (which locks the dossier FOR
  // UPDATE, then reads what was paid) runs entirely before or after this payment.
  const closed = (await trx('dossiers').whereIn('id', dossierIds).orderBy('id').forShare().select('id', 'numero_externe', 'etat'))
    .filter((d: { etat: string }) => d.etat === 'SOLDE' || d.etat === 'ANNULE') as Array<{ numero_externe: string; etat: string }>;
  if (closed.length) {
    throw new Refus(closed.map((d) => v('DOSSIER_CLOS', `Le dossier ${d.numero_externe} est ${d.etat === 'SOLDE' ? 'soldé' : 'annulé'} : aucun règlement ne peut plus y être imputé.`, '/lignes')));
  }
  const echeances = (await trx('echeances as e').join('dossiers as d', 'd.id', 'e.dossier_id').whereIn('e.dossier_id', dossierIds).orderBy('e.id').forUpdate('e')
    .select('e.dossier_id', 'e.numero', 'e.codification', 'e.montant_total_centimes', 'e.montant_regle_centimes', 'd.numero_externe')) as Array<{
    dossier_id: string; numero: number; codification: string; montant_total_centimes: string; montant_regle_centimes: string; numero_externe: string;
  }>;
  const dues = new Map<string, EcheanceDue>(echeances.map((e) => [`${String(e.dossier_id)}|${e.numero}`, {
    codification: e.codification, dossier: e.numero_externe, totalCents: Number(e.montant_total_centimes), regleCents: Number(e.montant_regle_centimes),
  }]));
  const plans = input.lignes.map((l) => {
    const f = parNumero.get(l.numeroInterneFacture) as FactureRow;
    const rows = lignesParFacture.get(f.id) ?? [];
    const parts = splitReglement(asLignesEnCompte(rows), l.montantCents);
    const mouvements = mouvementsReglement(asLignesEnCompte(rows), parts);
    for (const m of mouvements) {
      const due = dues.get(`${m.dossierId}|${m.numeroEcheance}`);
      if (!due) continue;
      if (due.regleCents + m.regleCents > due.totalCents) {
        violations.push(v('MONTANT_SUPERIEUR_AU_DU', `Ce règlement porterait l'échéance ${due.codification} du dossier ${due.dossier} à ${formatEuros(due.regleCents + m.regleCents)} réglés pour ${formatEuros(due.totalCents)} dus (échéancier recalculé après rupture ?).`, `/lignes/${l.index}/montant`));
      }
      due.regleCents += m.regleCents;
    }
    return { l, f, rows, parts, mouvements };
  });
  if (violations.length) throw new Refus(violations);

  const montant = input.lignes.reduce((s, l) => s + l.montantCents, 0);
  const reglement = await insertWithNewNumero('règlement', async (numero) => ((await trx('reglements').insert({
    numero_interne: numero,
    cfa_siren: siren,
    reference_virement: input.referenceVirement,
    date_reglement: input.dateReglement,
    montant_centimes: montant,
    acteur: actor.acteur,
  }).onConflict('numero_interne').ignore().returning('*')) as ReglementRow[])[0]);

  const reglees: FactureRow[] = [];
  for (const { l, f, rows, parts, mouvements } of plans) {
    const affectations = rows.flatMap((row, i) => ((parts[i] ?? 0) > 0 ? [{ row, part: parts[i] as number }] : []));
    await trx('reglements_lignes').insert(affectations.map(({ row, part }) => ({
      reglement_id: reglement.id, facture_id: f.id, facture_ligne_id: row.id, montant_centimes: part,
    })));
    for (const { row, part } of affectations) {
      await trx('factures_lignes').where({ id: row.id }).update({ montant_regle_centimes: trx.raw('montant_regle_centimes + ?', [part]) });
    }
    await applyMouvements(trx, mouvements);
    const regleApres = Number(f.montant_regle_centimes) + l.montantCents;
    const cible = etatAfterReglement(Number(f.montant_total_centimes), regleApres);
    // A further partial payment of a REGLE_PARTIELLEMENT invoice is not a transition.
    const etat = cible === f.etat || planFactureTransition(f.etat, { vers: cible }).ok ? cible : f.etat;
    const updated = await updateFacture(trx, f, {
      montant_regle_centimes: regleApres, etat, reference_virement: input.referenceVirement, date_reglement: input.dateReglement,
    });
    await recordFactureHistory(trx, f.id, {
      evenement: 'REGLEMENT', etat, acteur: actor.acteur,
      commentaire: `Virement ${input.referenceVirement} du ${input.dateReglement} : ${formatEuros(l.montantCents)} (réglé ${formatEuros(regleApres)} sur ${formatEuros(Number(f.montant_total_centimes))})`,
    });
    reglees.push(updated);
  }
  return { reglement, factures: reglees };
}

/** The refusal of a payment whose transfer reference the CFA already has (raced past the check). */
export function referenceAlreadyUsed(err: unknown, referenceVirement: string): Violation | undefined {
  return isUniqueViolation(err, 'reference_virement')
    ? v('REFERENCE_VIREMENT_DEJA_UTILISEE', `Le virement ${referenceVirement} est déjà enregistré pour ce CFA.`, '/referenceVirement')
    : undefined;
}

// -------------------------------------------------------------------------------------- reads

export interface ReglementDetail {
  reglement: ReglementRow;
  factures: Array<{
    numeroInterneFacture: string;
    referenceFactureCFA: string;
    etatFacture: string;
    montantCents: number;
    dossiers: Array<{ numeroInterneDossier: string; numeroExterneDossier: string; montantCents: number }>;
  }>;
}

/** Payments in recording order (one CFA's when `siren` is given), with the invoices and dossiers each settles. */
export async function pageOfReglements(db: Knex, q: { siren?: string; page: number; size: number }): Promise<{ total: number; items: ReglementDetail[] }> {
  const base = db('reglements');
  if (q.siren) base.where({ cfa_siren: q.siren });
  const [countRow, rows] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('id').offset((q.page - 1) * q.size).limit(q.size),
  ]);
  const reglements = rows as ReglementRow[];
  return { total: Number(countRow[0]?.n ?? 0), items: await detailOfReglements(db, reglements) };
}

export async function findReglement(db: Knex, id: string): Promise<ReglementDetail | undefined> {
  const row = (await db('reglements').where({ id }).first()) as ReglementRow | undefined;
  return row ? (await detailOfReglements(db, [row]))[0] : undefined;
}

/** The invoices and dossiers each of these payments settled. */
export async function detailOfReglements(db: Knex, reglements: readonly ReglementRow[]): Promise<ReglementDetail[]> {
  if (reglements.length === 0) return [];
  const parts = (await db('reglements_lignes as r')
    .join('factures_lignes as l', 'l.id', 'r.facture_ligne_id')
    .join('factures as f', 'f.id', 'r.facture_id')
    .join('dossiers as d', 'd.id', 'l.dossier_id')
    .whereIn('r.reglement_id', reglements.map((x) => x.id))
    .orderBy([{ column: 'r.reglement_id' }, { column: 'f.id' }, { column: 'l.rang' }])
    .select('r.reglement_id', 'r.montant_centimes', 'f.numero_interne as facture', 'f.numero', 'f.etat', 'd.numero_interne as dossier', 'd.numero_externe')) as Array<{
    reglement_id: string; montant_centimes: string; facture: string; numero: string; etat: string; dossier: string; numero_externe: string;
  }>;
  return reglements.map((reglement) => {
    const factures: ReglementDetail['factures'] = [];
    for (const p of parts.filter((x) => String(x.reglement_id) === String(reglement.id))) {
      let f = factures.find((x) => x.numeroInterneFacture === p.facture);
      if (!f) {
        f = { numeroInterneFacture: p.facture, referenceFactureCFA: p.numero, etatFacture: p.etat, montantCents: 0, dossiers: [] };
        factures.push(f);
      }
      f.montantCents += Number(p.montant_centimes);
      let d = f.dossiers.find((x) => x.numeroInterneDossier === p.dossier);
      if (!d) {
        d = { numeroInterneDossier: p.dossier, numeroExterneDossier: p.numero_externe, montantCents: 0 };
        f.dossiers.push(d);
      }
      d.montantCents += Number(p.montant_centimes);
    }
    return { reglement, factures };
  });
}
