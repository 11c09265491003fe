/**
 * Invoices: deposit (or correction) checked against the échéancier in one transaction, the
 * back office's transitions, certificats de réalisation, and the reads behind the CFA's state
 * feed. Every write locks what it reads (dossiers FOR SHARE, échéances and frais-annexes envelopes
 * FOR UPDATE, in id order), so concurrent invoices on one échéance are checked one after the other
 * and amounts stay exact. Rules: docs/decisions/factures.md.
 */
import type { Knex } from 'knex';
import {
  mouvementsDepot, mouvementsLiberation, NATURES_FRAIS, verifierFacture,
  type DossierSuivi, type EcheanceSuivie, type FactureDemandee, type FraisSuivi, type LigneEnCompte, type Mouvement, type NatureFraisLigne, type NatureLigne,
} from '../domain/invoicing/index.js';
import type { IsoDate } from '../domain/financing/index.js';
import { planFactureTransition, type EtatFacture } from '../domain/lifecycle/index.js';
import type { Violation } from '../domain/violation.js';
import { assignRanks, changesAfter, currentTransaction, highestRank, type Cursor } from './feed.js';
import { findSameFile, insertDocument, type NewDocument, type TypeFichier, type ObjetRef } from './documents.js';
import { newNumeroInterne } from './dossiers.js';

/** Invoices still being processed: they hold amounts "en cours d'instruction" and block a second invoice. */
export const ETATS_FACTURE_EN_ATTENTE: readonly EtatFacture[] = ['TRANSMIS', 'EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REGLE_PARTIELLEMENT'];

/** States the back office sets by a transition; REGLE* come from payments, TRANSMIS from the CFA's correction. */
export const TRANSITIONS_MANUELLES: readonly EtatFacture[] = ['EN_ATTENTE_MISE_EN_CONFORMITE', 'VALIDEE', 'REJETEE'];

export interface FactureRow {
  id: string;
  numero_interne: string;
  cfa_siren: string;
  numero: string;
  rang_cfa: string | null;
  xid_modif: string;
  etat: EtatFacture;
  commentaire: string | null;
  date_emission: string;
  montant_total_centimes: string;
  montant_regle_centimes: string;
  siret_emetteur: string;
  iban_emetteur: string;
  est_certificat_realisation: boolean;
  reference_virement: string | null;
  date_reglement: string | null;
  document_id: string | null;
  contenu: Record<string, unknown>;
  corrections: number;
  recue_le: Date;
  mis_a_jour_le: Date;
}

export interface LigneRow {
  id: string;
  facture_id: string;
  rang: number;
  dossier_id: string;
  numero_echeance: number;
  codification: string;
  nature: NatureLigne;
  quantite: number;
  montant_centimes: string;
  montant_regle_centimes: string;
}

/** Thrown inside a transaction to roll it back; carries every reason. */
export class Refus extends Error {
  constructor(readonly violations: Violation[]) {
    super(violations[0]?.description ?? 'refus');
    this.name = 'Refus';
  }
}

/** A PostgreSQL unique violation on a constraint whose name contains `fragment`. */
export function isUniqueViolation(err: unknown, fragment: string): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { code?: unknown; constraint?: unknown; message?: unknown };
  if (e.code !== '23505') return false;
  const where = `${typeof e.constraint === 'string' ? e.constraint : ''} ${typeof e.message === 'string' ? e.message : ''}`;
  return where.includes(fragment);
}

export function enCompte(rows: readonly LigneRow[]): LigneEnCompte[] {
  return rows.map((r) => ({
    dossierId: String(r.dossier_id),
    numeroEcheance: r.numero_echeance,
    nature: r.nature,
    montantCents: Number(r.montant_centimes),
    regleCents: Number(r.montant_regle_centimes),
  }));
}

export async function lignesDe(db: Knex, factureId: string): Promise<LigneRow[]> {
  return (await db('factures_lignes').where({ facture_id: factureId }).orderBy('rang')) as LigneRow[];
}

/** Applies échéance movements (deltas of montant_en_cours / montant_regle). */
export async function appliquerMouvements(trx: Knex.Transaction, mouvements: readonly Mouvement[]): Promise<void> {
  for (const m of mouvements) {
    await trx('echeances').where({ dossier_id: m.dossierId, numero: m.numeroEcheance }).update({
      montant_en_cours_centimes: trx.raw('montant_en_cours_centimes + ?', [m.enCoursCents]),
      montant_regle_centimes: trx.raw('montant_regle_centimes + ?', [m.regleCents]),
    });
  }
}

export async function historiser(trx: Knex.Transaction, factureId: string, h: { evenement: string; etat: EtatFacture; acteur: string; commentaire: string | null }): Promise<void> {
  await trx('factures_historique').insert({ facture_id: factureId, ...h });
}

/** Records a change of an invoice: next change number of the CFA's feed, then the update. */
export async function changerFacture(trx: Knex.Transaction, f: FactureRow, changes: Record<string, unknown>): Promise<FactureRow> {
  const [updated] = (await trx('factures').where({ id: f.id }).update({ ...changes, xid_modif: currentTransaction(trx), mis_a_jour_le: trx.fn.now() }).returning('*')) as FactureRow[];
  if (!updated) throw new Error('facture vanished');
  return updated;
}

// ------------------------------------------------------------------------- échéancier snapshot

interface EcheanceDb {
  dossier_id: string;
  numero: number;
  codification: string;
  type: string;
  statut: string;
  date_ouverture: string;
  date_limite_facturation: string | null;
  exige_certificat: boolean;
  montant_total_centimes: string;
  dont_pedagogie_centimes: string;
  dont_rqth_centimes: string;
  montant_regle_centimes: string;
  montant_en_cours_centimes: string;
}

/**
 * The financing state of the CFA's dossiers named by `refs` (numeroInterne or numeroExterne),
 * read under locks: dossiers FOR SHARE (a concurrent rupture waits), échéances and frais envelopes
 * FOR UPDATE (a concurrent invoice or payment on them waits). Keys: numeroInterne and numeroExterne.
 */
export async function suiviDossiers(trx: Knex.Transaction, siren: string, refs: readonly string[]): Promise<Map<string, DossierSuivi>> {
  const map = new Map<string, DossierSuivi>();
  const wanted = [...new Set(refs)];
  if (wanted.length === 0) return map;
  const dossiers = (await trx('dossiers')
    .where({ cfa_siren: siren })
    .where((w) => { w.whereIn('numero_interne', wanted).orWhereIn('numero_externe', wanted); })
    .orderBy('id')
    .forShare()
    .select('id', 'numero_interne', 'numero_externe', 'etat')) as Array<{ id: string; numero_interne: string; numero_externe: string; etat: string }>;
  if (dossiers.length === 0) return map;
  const ids = dossiers.map((d) => d.id);
  const echeances = (await trx('echeances').whereIn('dossier_id', ids).orderBy('id').forUpdate()) as EcheanceDb[];
  const frais = (await trx('engagements_frais_annexes').whereIn('dossier_id', ids).orderBy('id').forUpdate()) as Array<{
    dossier_id: string; nature: string; quantite: number; prix_unitaire_centimes: string; montant_total_centimes: string;
  }>;
  const engagements = (await trx('engagements').whereIn('dossier_id', ids).select('dossier_id', 'details')) as Array<{
    dossier_id: string; details: { detailsFacturation?: { periodesFraisAnnexes?: Array<{ numeroEcheance: number; nature: string }> } };
  }>;
  const lignes = (await trx('factures_lignes as l')
    .join('factures as f', 'f.id', 'l.facture_id')
    .whereIn('l.dossier_id', ids)
    .whereNot('f.etat', 'REJETEE')
    .select('l.dossier_id', 'l.numero_echeance', 'l.nature', 'l.quantite', 'l.montant_centimes', 'f.etat', 'f.numero_interne')) as Array<{
    dossier_id: string; numero_echeance: number; nature: NatureLigne; quantite: number; montant_centimes: string; etat: EtatFacture; numero_interne: string;
  }>;
  const certificats = (await trx('certificats').whereIn('dossier_id', ids).distinct('dossier_id', 'numero_echeance')) as Array<{ dossier_id: string; numero_echeance: number }>;

  for (const d of dossiers) {
    const id = String(d.id);
    const sesLignes = lignes.filter((l) => String(l.dossier_id) === id);
    const periodes = engagements.find((e) => String(e.dossier_id) === id)?.details.detailsFacturation?.periodesFraisAnnexes ?? [];
    const suivies: EcheanceSuivie[] = echeances.filter((e) => String(e.dossier_id) === id).sort((a, b) => a.numero - b.numero).map((e) => {
      const surEcheance = sesLignes.filter((l) => l.numero_echeance === e.numero);
      const factureParNatureCents: Partial<Record<NatureLigne, number>> = {};
      const factureEnAttente: Partial<Record<NatureLigne, string>> = {};
      for (const l of surEcheance) {
        factureParNatureCents[l.nature] = (factureParNatureCents[l.nature] ?? 0) + Number(l.montant_centimes);
        if (ETATS_FACTURE_EN_ATTENTE.includes(l.etat)) factureEnAttente[l.nature] ??= l.numero_interne;
      }
      return {
        numero: e.numero,
        codification: e.codification,
        type: e.type,
        statut: e.statut,
        dateOuverture: e.date_ouverture,
        dateLimiteFacturation: e.date_limite_facturation,
        exigeCertificat: e.exige_certificat,
        montantTotalCents: Number(e.montant_total_centimes),
        dontPedagogieCents: Number(e.dont_pedagogie_centimes),
        dontRqthCents: Number(e.dont_rqth_centimes),
        montantRegleCents: Number(e.montant_regle_centimes),
        montantEnCoursCents: Number(e.montant_en_cours_centimes),
        factureParNatureCents,
        factureEnAttente,
        certificatRecu: certificats.some((c) => String(c.dossier_id) === id && c.numero_echeance === e.numero),
      };
    });
    const enveloppes: FraisSuivi[] = frais.filter((f) => String(f.dossier_id) === id && (NATURES_FRAIS as readonly string[]).includes(f.nature)).map((f) => {
      const nature = f.nature as NatureFraisLigne;
      const consommees = sesLignes.filter((l) => l.nature === nature);
      return {
        nature,
        quantite: f.quantite,
        prixUnitaireCents: Number(f.prix_unitaire_centimes),
        montantTotalCents: Number(f.montant_total_centimes),
        factureCents: consommees.reduce((s, l) => s + Number(l.montant_centimes), 0),
        quantiteFacturee: consommees.reduce((s, l) => s + l.quantite, 0),
        echeances: periodes.filter((p) => p.nature === nature).map((p) => p.numeroEcheance),
      };
    });
    const suivi: DossierSuivi = { id, numeroInterne: d.numero_interne, numeroExterne: d.numero_externe, etat: d.etat, echeances: suivies, frais: enveloppes };
    map.set(d.numero_interne, suivi);
    map.set(d.numero_externe, suivi);
  }
  return map;
}

// -------------------------------------------------------------------------------- documents

type Fichier = Omit<NewDocument, 'cfaSiren' | 'typeFichier' | 'objets'>;

/** Stores a file on `objets` (or reuses the document already holding that very file). */
export async function stockerFichier(trx: Knex.Transaction, cfaSiren: string, typeFichier: TypeFichier, fichier: Fichier, objets: ObjetRef[]): Promise<{ id: string; numero_interne: string }> {
  const existing = await findSameFile(trx, objets, fichier.sha256);
  if (existing) return existing;
  return insertDocument(trx, { ...fichier, cfaSiren, typeFichier, objets });
}

// ---------------------------------------------------------------------------------- deposit

export interface NouvelleFacture {
  cfaSiren: string;
  facture: FactureDemandee;
  /** The `facture` JSON as sent. */
  contenu: Record<string, unknown>;
  fichier: Fichier;
  cleId: string;
  editeur: string | null;
  logiciel: string | null;
  version: string | null;
  acteur: string;
  aujourdHui: IsoDate;
}

export type DepotOutcome =
  | { ok: true; facture: FactureRow; numeroInterneDocument: string; corrigee: boolean }
  | { ok: false; violations: Violation[] };

const CHAMP_CORRIGEE = '/facture/numeroInterneFactureCorrigee';

/**
 * Records an invoice — or, with `numeroInterneFactureCorrigee`, the corrected content of an invoice
 * awaiting correction — in one transaction: the corrected invoice's amounts are released first,
 * then every check runs against the locked échéancier; on success the lines are stored and their
 * amounts move to "en cours d'instruction". On any failure nothing is written.
 */
export async function deposerFacture(db: Knex, input: NouvelleFacture, afterWrite?: (trx: Knex.Transaction, f: FactureRow) => Promise<void>): Promise<DepotOutcome> {
  const f = input.facture;
  try {
    return await db.transaction(async (trx): Promise<DepotOutcome> => {
      const prealables: Violation[] = [];
      let corrigee: FactureRow | undefined;
      if (f.numeroInterneFactureCorrigee) {
        const old = (await trx('factures').where({ cfa_siren: input.cfaSiren, numero_interne: f.numeroInterneFactureCorrigee }).forUpdate().first()) as FactureRow | undefined;
        if (!old) {
          prealables.push({ code: 'FACTURE_INCONNUE', description: `Aucune facture ${f.numeroInterneFactureCorrigee} pour ce CFA.`, champ: CHAMP_CORRIGEE, section: 'facture' });
        } else if (!planFactureTransition(old.etat, { vers: 'TRANSMIS' }).ok) {
          prealables.push({ code: 'CORRECTION_NON_DEMANDEE', description: `La facture ${old.numero_interne} est à l'état ${old.etat} : seule une facture en attente de mise en conformité (EN_ATTENTE_MISE_EN_CONFORMITE) peut être corrigée.`, champ: CHAMP_CORRIGEE, section: 'facture' });
        } else {
          corrigee = old;
          const anciennes = await lignesDe(trx, old.id);
          await appliquerMouvements(trx, mouvementsLiberation(enCompte(anciennes)));
          await trx('factures_lignes').where({ facture_id: old.id }).delete();
        }
      }
      const refs = f.lignes.flatMap((l) => [l.numeroDossier, l.numeroInterneDossier].filter((r): r is string => r !== undefined));
      const dossiers = await suiviDossiers(trx, input.cfaSiren, refs);
      const homonyme = trx('factures').where({ cfa_siren: input.cfaSiren, numero: f.numero });
      if (corrigee) homonyme.whereNot({ id: corrigee.id });
      const numeroDejaUtilise = Boolean(await homonyme.first('id'));
      const violations = [...prealables, ...verifierFacture(f, { dossiers, numeroDejaUtilise, aujourdHui: input.aujourdHui })];
      if (violations.length) throw new Refus(violations);

      const colonnes = {
        numero: f.numero,
        etat: 'TRANSMIS',
        commentaire: null,
        date_emission: f.dateEmission,
        montant_total_centimes: f.montantTotalCents,
        montant_regle_centimes: 0,
        siret_emetteur: f.siretEmetteur,
        iban_emetteur: f.ibanEmetteur,
        est_certificat_realisation: f.estCertificatRealisation,
        contenu: JSON.stringify(input.contenu),
        cle_id: input.cleId,
        editeur: input.editeur,
        logiciel: input.logiciel,
        version_logiciel: input.version,
      };
      let facture: FactureRow;
      if (corrigee) {
        facture = await changerFacture(trx, corrigee, { ...colonnes, corrections: corrigee.corrections + 1 });
        await historiser(trx, facture.id, { evenement: 'CORRECTION', etat: 'TRANSMIS', acteur: input.acteur, commentaire: 'Facture corrigée par le CFA' });
      } else {
        let created: FactureRow | undefined;
        for (let attempt = 0; attempt < 3 && !created; attempt += 1) {
          [created] = (await trx('factures')
            .insert({ ...colonnes, numero_interne: newNumeroInterne(), cfa_siren: input.cfaSiren })
            .onConflict('numero_interne')
            .ignore()
            .returning('*')) as FactureRow[];
        }
        if (!created) throw new Error('could not allocate a numéro interne de facture');
        facture = created;
        await historiser(trx, facture.id, { evenement: 'ETAT', etat: 'TRANSMIS', acteur: input.acteur, commentaire: 'Transmise par API CFA' });
      }

      const lignes = f.lignes.map((l) => {
        const dossier = dossiers.get(l.numeroInterneDossier ?? l.numeroDossier ?? '');
        const echeance = dossier?.echeances.find((e) => e.numero === l.numeroEcheance);
        if (!dossier || !echeance) throw new Error('checked line without dossier or échéance');
        return {
          facture_id: facture.id,
          rang: l.index,
          dossier_id: dossier.id,
          numero_echeance: l.numeroEcheance,
          codification: echeance.codification,
          nature: l.nature,
          quantite: l.quantite,
          montant_centimes: l.montantCents,
        };
      });
      const inserees = (await trx('factures_lignes').insert(lignes).returning('*')) as LigneRow[];
      await appliquerMouvements(trx, mouvementsDepot(enCompte(inserees)));

      const document = await stockerFichier(trx, input.cfaSiren, 'FACTURE', input.fichier, [{ typeObjet: 'FACTURE', idObjet: facture.numero_interne }]);
      [facture] = (await trx('factures').where({ id: facture.id }).update({ document_id: document.id }).returning('*')) as [FactureRow];
      if (afterWrite) await afterWrite(trx, facture);
      return { ok: true, facture, numeroInterneDocument: document.numero_interne, corrigee: Boolean(corrigee) };
    });
  } catch (err) {
    if (err instanceof Refus) return { ok: false, violations: err.violations };
    if (isUniqueViolation(err, 'cfa_siren_numero')) {
      return { ok: false, violations: [{ code: 'NUMERO_FACTURE_DEJA_UTILISE', description: `Le CFA a déjà transmis une facture numéro ${f.numero}.`, champ: '/facture/numero', section: 'facture' }] };
    }
    throw err;
  }
}

// ------------------------------------------------------------------------------ transitions

/** The invoice, locked until the end of the transaction (the back office's moves, see src/services/back-office-factures.ts). */
export async function lockFacture(trx: Knex.Transaction, numeroInterne: string): Promise<FactureRow | undefined> {
  return (await trx('factures').where({ numero_interne: numeroInterne }).forUpdate().first()) as FactureRow | undefined;
}

// ------------------------------------------------------------------------------- certificats

export interface NouveauCertificat {
  cfaSiren: string;
  dossier: { id: string; numero_interne: string };
  numeroEcheance: number;
  codification?: string;
  numeroInterneFacture?: string;
  typeCertificat: string;
  contenu: Record<string, unknown>;
  fichier?: Fichier;
  acteur: string;
  /** What the route already refused (employer, file): listed first, with the database checks. */
  prealables?: Violation[];
}

export type CertificatOutcome =
  | { ok: true; numeroInterneCertificat: string; numeroInterneDocument: string | null; factureRetransmise: boolean }
  | { ok: false; violations: Violation[] };

/**
 * Stores a certificat de réalisation for one échéance of a dossier, optionally tied to an invoice
 * (which must carry a line on that dossier). A certificat tied to an invoice awaiting correction is
 * the CFA's answer: the invoice goes back to TRANSMIS. Every failure is listed at once: the route's
 * own (`prealables`) then the échéance and invoice checks; nothing is written when any fails.
 */
export async function deposerCertificat(db: Knex, input: NouveauCertificat, afterWrite?: (trx: Knex.Transaction, numero: string) => Promise<void>): Promise<CertificatOutcome> {
  try {
    return await db.transaction(async (trx): Promise<CertificatOutcome> => {
      const violations: Violation[] = [...(input.prealables ?? [])];
      const e = (await trx('echeances').where({ dossier_id: input.dossier.id, numero: input.numeroEcheance }).first('codification')) as { codification: string } | undefined;
      if (!e) {
        violations.push({ code: 'ECHEANCE_INCONNUE', description: `Le dossier ${input.dossier.numero_interne} n'a pas d'échéance ${input.numeroEcheance} (dossier non engagé ou numéro inconnu).`, champ: '/echeance/numero', section: 'requete' });
      } else if (input.codification !== undefined && input.codification !== e.codification) {
        violations.push({ code: 'CODIFICATION_ECHEANCE_INCOHERENTE', description: `L'échéance ${input.numeroEcheance} a pour codification ${e.codification}, pas ${input.codification}.`, champ: '/echeance/codification', section: 'requete' });
      }
      let facture: FactureRow | undefined;
      if (input.numeroInterneFacture !== undefined) {
        facture = (await trx('factures').where({ cfa_siren: input.cfaSiren, numero_interne: input.numeroInterneFacture }).forUpdate().first()) as FactureRow | undefined;
        if (!facture) {
          violations.push({ code: 'FACTURE_INCONNUE', description: `Aucune facture ${input.numeroInterneFacture} pour ce CFA.`, champ: '/numeroInterneFacture', section: 'requete' });
        } else if (!(await trx('factures_lignes').where({ facture_id: facture.id, dossier_id: input.dossier.id }).first('id'))) {
          violations.push({ code: 'FACTURE_SANS_LIEN_AVEC_LE_DOSSIER', description: `La facture ${input.numeroInterneFacture} ne porte sur aucune échéance du dossier ${input.dossier.numero_interne}.`, champ: '/numeroInterneFacture', section: 'requete' });
        }
      }
      if (violations.length) throw new Refus(violations);

      let numeroInterneCertificat: string | undefined;
      for (let attempt = 0; attempt < 3 && !numeroInterneCertificat; attempt += 1) {
        const rows = (await trx('certificats').insert({
          numero_interne: newNumeroInterne(),
          cfa_siren: input.cfaSiren,
          dossier_id: input.dossier.id,
          numero_echeance: input.numeroEcheance,
          facture_id: facture?.id ?? null,
          type_certificat: input.typeCertificat,
          contenu: JSON.stringify(input.contenu),
        }).onConflict('numero_interne').ignore().returning(['id', 'numero_interne'])) as Array<{ id: string; numero_interne: string }>;
        if (rows[0]) numeroInterneCertificat = rows[0].numero_interne;
      }
      if (!numeroInterneCertificat) throw new Error('could not allocate a numéro interne de certificat');

      let numeroInterneDocument: string | null = null;
      if (input.fichier) {
        const objets: ObjetRef[] = [{ typeObjet: 'DOSSIER_APPRENTISSAGE', idObjet: input.dossier.numero_interne }];
        if (facture) objets.push({ typeObjet: 'FACTURE', idObjet: facture.numero_interne });
        const document = await stockerFichier(trx, input.cfaSiren, 'CERTIFICAT_REALISATION', input.fichier, objets);
        await trx('certificats').where({ numero_interne: numeroInterneCertificat }).update({ document_id: document.id });
        numeroInterneDocument = document.numero_interne;
      }

      let factureRetransmise = false;
      if (facture) {
        const commentaire = `Certificat de réalisation ${numeroInterneCertificat} (échéance ${input.numeroEcheance})`;
        if (facture.etat === 'EN_ATTENTE_MISE_EN_CONFORMITE') {
          await changerFacture(trx, facture, { etat: 'TRANSMIS', commentaire: null });
          await historiser(trx, facture.id, { evenement: 'CERTIFICAT', etat: 'TRANSMIS', acteur: input.acteur, commentaire });
          factureRetransmise = true;
        } else {
          await historiser(trx, facture.id, { evenement: 'CERTIFICAT', etat: facture.etat, acteur: input.acteur, commentaire });
        }
      }
      if (afterWrite) await afterWrite(trx, numeroInterneCertificat);
      return { ok: true, numeroInterneCertificat, numeroInterneDocument, factureRetransmise };
    });
  } catch (err) {
    if (err instanceof Refus) return { ok: false, violations: err.violations };
    throw err;
  }
}

// -------------------------------------------------------------------------------------- reads

export async function findFacture(db: Knex, numeroInterne: string, siren?: string): Promise<FactureRow | undefined> {
  const q = db('factures').where({ numero_interne: numeroInterne });
  if (siren) q.where({ cfa_siren: siren });
  return (await q.first()) as FactureRow | undefined;
}

export interface PageFactures {
  page: number;
  size: number;
  etat?: string;
}

/** One page of the CFA's invoices in arrival order (dense ranks without filter, like dossiers). */
export async function pageOfFactures(db: Knex, siren: string, q: PageFactures): Promise<{ total: number; items: FactureRow[] }> {
  const from = (q.page - 1) * q.size;
  await assignRanks(db, 'factures', siren);
  if (!q.etat) {
    const rang = await highestRank(db, 'factures', siren);
    const items = (await db('factures').where({ cfa_siren: siren }).whereBetween('rang_cfa', [from + 1, from + q.size]).orderBy('rang_cfa')) as FactureRow[];
    return { total: rang, items };
  }
  const base = db('factures').where({ cfa_siren: siren, etat: q.etat }).whereNotNull('rang_cfa');
  const [countRow, items] = await Promise.all([
    base.clone().count<{ n: string }[]>({ n: '*' }),
    base.clone().orderBy('rang_cfa').offset(from).limit(q.size),
  ]);
  return { total: Number(countRow[0]?.n ?? 0), items: items as FactureRow[] };
}

/** Invoices changed after the cursor, in change order (settled changes only, see feed.ts). */
export async function facturesChangedSince(db: Knex, siren: string, after: Cursor, size: number, etat?: string): Promise<FactureRow[]> {
  const q = changesAfter(db, 'factures', siren, after);
  if (etat) q.where({ etat });
  return (await q.limit(size)) as FactureRow[];
}

export interface MontantDossier {
  numeroInterneDossier: string;
  numeroExterneDossier: string;
  montantCents: number;
}

/** Per invoice: the dossiers it names and the amount of its lines on each, in line order. */
export async function dossiersDesFactures(db: Knex, factureIds: readonly string[]): Promise<Map<string, MontantDossier[]>> {
  const map = new Map<string, MontantDossier[]>();
  if (factureIds.length === 0) return map;
  const rows = (await db('factures_lignes as l')
    .join('dossiers as d', 'd.id', 'l.dossier_id')
    .whereIn('l.facture_id', factureIds)
    .groupBy('l.facture_id', 'd.numero_interne', 'd.numero_externe')
    .select('l.facture_id', 'd.numero_interne', 'd.numero_externe')
    .sum({ montant: 'l.montant_centimes' })
    .min({ premier: 'l.rang' })
    .orderBy([{ column: 'l.facture_id' }, { column: 'premier' }])) as Array<{ facture_id: string; numero_interne: string; numero_externe: string; montant: string; premier: number }>;
  for (const r of rows) {
    const key = String(r.facture_id);
    const list = map.get(key) ?? [];
    list.push({ numeroInterneDossier: r.numero_interne, numeroExterneDossier: r.numero_externe, montantCents: Number(r.montant) });
    map.set(key, list);
  }
  return map;
}

export interface HistoriqueFactureRow {
  evenement: string;
  etat: string;
  le: Date;
  acteur: string;
  commentaire: string | null;
}

export async function historiqueFacture(db: Knex, factureId: string): Promise<HistoriqueFactureRow[]> {
  return (await db('factures_historique').where({ facture_id: factureId }).orderBy('id').select('evenement', 'etat', 'le', 'acteur', 'commentaire')) as HistoriqueFactureRow[];
}

/** Lines with their dossier numbers, for detail views. */
export async function lignesDetaillees(db: Knex, factureId: string): Promise<Array<LigneRow & { numero_interne: string; numero_externe: string }>> {
  return (await db('factures_lignes as l').join('dossiers as d', 'd.id', 'l.dossier_id').where({ 'l.facture_id': factureId }).orderBy('l.rang')
    .select('l.*', 'd.numero_interne', 'd.numero_externe')) as Array<LigneRow & { numero_interne: string; numero_externe: string }>;
}
