/**
 * Invoicing use cases of the norm for a CFA: deposit an invoice (or its correction), deposit a
 * certificat de réalisation, read invoice states (pages or feed), one invoice in detail, and the
 * payments received. Each write runs in one transaction that locks what it reads (see
 * src/db/factures.ts) and records its audit entry; every read is scoped to the CFA: another CFA's
 * invoice or dossier is refused exactly like a missing one. Rules: docs/decisions/factures.md.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import {
  applyMouvements, codificationOfEcheance, deleteLignes, dossiersOfFactures, asLignesEnCompte, factureCoversDossier, facturesChangedSince, findFacture,
  recordFactureHistory, historyOfFacture, insertCertificat, insertFacture, insertLignes, isNumeroFactureUsed, isUniqueViolation, lignesOf, lignesDetaillees,
  lockOwnFacture, pageOfFactures, setCertificatDocument, setFactureDocument, storeFichier, suiviDossiers, updateFacture,
  type Fichier, type FactureRow, type HistoriqueFactureRow, type LigneRow, type MontantDossier,
} from '../db/factures.js';
import { refreshEchus } from '../db/echus.js';
import { gatewayToday } from './clock.js';
import type { Cursor } from '../db/feed.js';
import type { ObjetRef } from '../db/documents.js';
import { pageOfReglements, type ReglementDetail } from '../db/reglements.js';
import { parisDate } from '../domain/dates.js';
import { calendarDateOf } from '../domain/formats.js';
import {
  convertedCodificationWarning, examineFacture, readCodification, mouvementsDepot, mouvementsLiberation, parseFacture, type FactureDemandee,
} from '../domain/invoicing/index.js';
import { planFactureTransition } from '../domain/lifecycle/index.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import { assertOwnSiret, type CfaActor } from './actor.js';
import { ownDossier } from './dossiers.js';

const CHAMP_CORRIGEE = '/facture/numeroInterneFactureCorrigee';

export interface DepositedFacture {
  facture: FactureRow;
  numeroInterneDocument: string;
  corrigee: boolean;
  /** What was accepted only after a reading (a codification sent as a plain number): CODIFICATION_CONVERTIE. */
  avertissements: Violation[];
}

/**
 * Records an invoice — or, with `numeroInterneFactureCorrigee`, the corrected content of an invoice
 * awaiting correction — in one transaction: the corrected invoice's amounts are released first,
 * then every check runs against the locked échéancier; on success the lines are stored and their
 * amounts move to "en cours d'instruction". On any failure nothing is written.
 *
 * `contenu` is the schema-valid `facture` JSON; `fileOf` checks the PDF once the invoice is read
 * and its issuer known to be the CFA's (the file's own refusals come after those).
 */
export async function depositFacture(
  db: Knex,
  cfa: CfaActor,
  contenu: Record<string, unknown>,
  fileOf: (facture: FactureDemandee) => Omit<Fichier, 'editeur'>,
  now: Date,
  /** STRICT_INPUT: what would be read with a warning is refused. */
  strict = false,
): Promise<DepositedFacture> {
  const { facture: f, violations: lecture } = parseFacture(contenu);
  if (!f) throw refuse.invalid(lecture);
  assertOwnSiret(f.siretEmetteur, cfa, '/facture/siretEmetteur', 'émetteur');
  const fichier: Fichier = { ...fileOf(f), editeur: cfa.editor.editeur };
  try {
    return await db.transaction(async (trx): Promise<DepositedFacture> => {
      const prealables: Violation[] = [];
      let corrigee: FactureRow | undefined;
      let anciensDossiers: string[] = [];
      if (f.numeroInterneFactureCorrigee) {
        const old = await lockOwnFacture(trx, cfa.siren, f.numeroInterneFactureCorrigee);
        if (!old) {
          prealables.push({ code: 'FACTURE_INCONNUE', description: `Aucune facture ${f.numeroInterneFactureCorrigee} pour ce CFA.`, champ: CHAMP_CORRIGEE, section: 'facture' });
        } else if (!planFactureTransition(old.etat, { vers: 'TRANSMIS' }).ok) {
          prealables.push({ code: 'CORRECTION_NON_DEMANDEE', description: `La facture ${old.numero_interne} est à l'état ${old.etat} : seule une facture en attente de mise en conformité (EN_ATTENTE_MISE_EN_CONFORMITE) peut être corrigée.`, champ: CHAMP_CORRIGEE, section: 'facture' });
        } else {
          corrigee = old;
          const anciennes = await lignesOf(trx, old.id);
          anciensDossiers = anciennes.map((l) => l.dossier_id);
          await applyMouvements(trx, mouvementsLiberation(asLignesEnCompte(anciennes)));
          await deleteLignes(trx, old.id);
        }
      }
      const refs = f.lignes.flatMap((l) => [l.numeroDossier, l.numeroInterneDossier].filter((r): r is string => r !== undefined));
      const dossiers = await suiviDossiers(trx, cfa.siren, refs);
      const numeroDejaUtilise = await isNumeroFactureUsed(trx, cfa.siren, f.numero, corrigee?.id);
      const { erreurs, avertissements } = examineFacture(f, { dossiers, numeroDejaUtilise, aujourdHui: parisDate(now) });
      const violations = [...prealables, ...erreurs, ...(strict ? avertissements : [])];
      if (violations.length) throw refuse.invalid(violations, avertissements.length && !strict ? { extensions: { avertissements } } : undefined);

      const colonnes = {
        numero: f.numero,
        etat: 'TRANSMIS' as const,
        commentaire: null,
        date_emission: f.dateEmission,
        montant_total_centimes: f.montantTotalCents,
        montant_regle_centimes: 0,
        siret_emetteur: f.siretEmetteur,
        iban_emetteur: f.ibanEmetteur,
        est_certificat_realisation: f.estCertificatRealisation,
        contenu: JSON.stringify(contenu),
        cle_id: cfa.keyId,
        editeur: cfa.editor.editeur,
        logiciel: cfa.editor.logiciel,
        version_logiciel: cfa.editor.version,
      };
      let facture: FactureRow;
      if (corrigee) {
        facture = await updateFacture(trx, corrigee, { ...colonnes, corrections: corrigee.corrections + 1 });
        await recordFactureHistory(trx, facture.id, { evenement: 'CORRECTION', etat: 'TRANSMIS', acteur: cfa.acteur, commentaire: 'Facture corrigée par le CFA' });
      } else {
        facture = await insertFacture(trx, cfa.siren, colonnes);
        await recordFactureHistory(trx, facture.id, { evenement: 'ETAT', etat: 'TRANSMIS', acteur: cfa.acteur, commentaire: 'Transmise par API CFA' });
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
      const inserees = await insertLignes(trx, lignes);
      await applyMouvements(trx, mouvementsDepot(asLignesEnCompte(inserees)));
      // An invoice being processed takes its dossiers off the list of échus at once.
      await refreshEchus(trx, [...anciensDossiers, ...inserees.map((l) => l.dossier_id)], parisDate(now));

      const document = await storeFichier(trx, cfa.siren, 'FACTURE', fichier, [{ typeObjet: 'FACTURE', idObjet: facture.numero_interne }]);
      facture = await setFactureDocument(trx, facture.id, document.id);
      await recordWrite(trx, cfa.author, f.numeroInterneFactureCorrigee ? 'FACTURE_CORRIGEE' : 'FACTURE_TRANSMISE', { type: 'FACTURE', id: facture.numero_interne });
      return { facture, numeroInterneDocument: document.numero_interne, corrigee: Boolean(corrigee), avertissements };
    });
  } catch (err) {
    if (isUniqueViolation(err, 'cfa_siren_numero')) {
      throw refuse.invalid([{ code: 'NUMERO_FACTURE_DEJA_UTILISE', description: `Le CFA a déjà transmis une facture numéro ${f.numero}.`, champ: '/facture/numero', section: 'facture' }]);
    }
    throw err;
  }
}

// ------------------------------------------------------------------------------- certificats

/** What the certificat use case reads of the (schema-valid) body of POST /certificats; the rest is stored as sent. */
export interface CertificatRequest {
  typeCertificat: string;
  numeroInterneDossier: string;
  numeroInterneFacture?: string | number | null;
  dateSignature?: string | null;
  employeur: { siret: string };
  organismeFormation: { siret: string };
  echeance: { numero: number | string; codification?: string | null };
  [member: string]: unknown;
}

/** The optional file of a certificat, checked by the caller: the file, or its 400 reasons to list with the others. */
export interface CertificatFile {
  fichier?: Omit<Fichier, 'editeur'>;
  violations: Violation[];
}

export interface DepositedCertificat {
  numeroInterneCertificat: string;
  numeroInterneDocument: string | null;
  factureRetransmise: boolean;
  /** A codification sent as the échéance's plain number (`"2"` for A2): CODIFICATION_CONVERTIE. */
  avertissements: Violation[];
}

/**
 * Stores a certificat de réalisation for one échéance of the CFA's dossier, optionally tied to an
 * invoice (which must carry a line on that dossier). A certificat tied to an invoice awaiting
 * correction is the CFA's answer: the invoice goes back to TRANSMIS. Every 400 reason is listed at
 * once (employer, file, échéance, invoice); nothing is written when any fails.
 */
export async function depositCertificat(db: Knex, cfa: CfaActor, demande: CertificatRequest, fileOf: () => CertificatFile, strict = false): Promise<DepositedCertificat> {
  const dossier = await ownDossier(db, cfa, demande.numeroInterneDossier);
  assertOwnSiret(demande.organismeFormation.siret, cfa, '/organismeFormation/siret', "de l'organisme de formation");
  const violations: Violation[] = [];
  if (dossier.employeur_siret && demande.employeur.siret !== dossier.employeur_siret) {
    violations.push({ code: 'EMPLOYEUR_INCOHERENT', description: `Le SIRET de l'employeur (${demande.employeur.siret}) n'est pas celui du dossier.`, champ: '/employeur/siret', section: 'requete' });
  }
  const file = fileOf();
  violations.push(...file.violations);
  const numeroEcheance = Number(demande.echeance.numero);
  const codification = demande.echeance.codification?.trim() || undefined;
  const refFacture = demande.numeroInterneFacture;
  const numeroInterneFacture = refFacture === undefined || refFacture === null || refFacture === '' ? undefined : `${refFacture}`;
  const contenu = { ...demande, ...(typeof demande.dateSignature === 'string' ? { dateSignature: calendarDateOf(demande.dateSignature) } : {}) };

  return db.transaction(async (trx): Promise<DepositedCertificat> => {
    const avertissements: Violation[] = [];
    const codificationConnue = await codificationOfEcheance(trx, dossier.id, numeroEcheance);
    const lecture = codificationConnue !== undefined && codification !== undefined ? readCodification(codification, codificationConnue) : 'exacte';
    if (codificationConnue === undefined) {
      violations.push({ code: 'ECHEANCE_INCONNUE', description: `Le dossier ${dossier.numero_interne} n'a pas d'échéance ${numeroEcheance} (dossier non engagé ou numéro inconnu).`, champ: '/echeance/numero', section: 'requete' });
    } else if (codification !== undefined && lecture === 'numero') {
      avertissements.push(convertedCodificationWarning(codification, codificationConnue, numeroEcheance, '/echeance/codification', 'requete', dossier.numero_externe));
    } else if (codification !== undefined && lecture === undefined) {
      violations.push({ code: 'CODIFICATION_ECHEANCE_INCOHERENTE', description: `L'échéance ${numeroEcheance} a pour codification ${codificationConnue}, pas ${codification}.`, champ: '/echeance/codification', section: 'requete' });
    }
    let facture: FactureRow | undefined;
    if (numeroInterneFacture !== undefined) {
      facture = await lockOwnFacture(trx, cfa.siren, numeroInterneFacture);
      if (!facture) {
        violations.push({ code: 'FACTURE_INCONNUE', description: `Aucune facture ${numeroInterneFacture} pour ce CFA.`, champ: '/numeroInterneFacture', section: 'requete' });
      } else if (!(await factureCoversDossier(trx, facture.id, dossier.id))) {
        violations.push({ code: 'FACTURE_SANS_LIEN_AVEC_LE_DOSSIER', description: `La facture ${numeroInterneFacture} ne porte sur aucune échéance du dossier ${dossier.numero_interne}.`, champ: '/numeroInterneFacture', section: 'requete' });
      }
    }
    if (strict) violations.push(...avertissements);
    if (violations.length) throw refuse.invalid(violations, avertissements.length && !strict ? { extensions: { avertissements } } : undefined);

    const numeroInterneCertificat = await insertCertificat(trx, {
      cfaSiren: cfa.siren, dossierId: dossier.id, numeroEcheance, factureId: facture?.id ?? null, typeCertificat: demande.typeCertificat, contenu,
    });
    let numeroInterneDocument: string | null = null;
    if (file.fichier) {
      const objets: ObjetRef[] = [{ typeObjet: 'DOSSIER_APPRENTISSAGE', idObjet: dossier.numero_interne }];
      if (facture) objets.push({ typeObjet: 'FACTURE', idObjet: facture.numero_interne });
      const document = await storeFichier(trx, cfa.siren, 'CERTIFICAT_REALISATION', { ...file.fichier, editeur: cfa.editor.editeur }, objets);
      await setCertificatDocument(trx, numeroInterneCertificat, document.id);
      numeroInterneDocument = document.numero_interne;
    }

    let factureRetransmise = false;
    if (facture) {
      const commentaire = `Certificat de réalisation ${numeroInterneCertificat} (échéance ${numeroEcheance})`;
      if (facture.etat === 'EN_ATTENTE_MISE_EN_CONFORMITE') {
        await updateFacture(trx, facture, { etat: 'TRANSMIS', commentaire: null });
        await recordFactureHistory(trx, facture.id, { evenement: 'CERTIFICAT', etat: 'TRANSMIS', acteur: cfa.acteur, commentaire });
        factureRetransmise = true;
      } else {
        await recordFactureHistory(trx, facture.id, { evenement: 'CERTIFICAT', etat: facture.etat, acteur: cfa.acteur, commentaire });
      }
    }
    // The missing certificat was a reason of the list of échus: refreshed at once.
    await refreshEchus(trx, [dossier.id], await gatewayToday(trx));
    await recordWrite(trx, cfa.author, 'CERTIFICAT_TRANSMIS', { type: 'CERTIFICAT', id: numeroInterneCertificat });
    return { numeroInterneCertificat, numeroInterneDocument, factureRetransmise, avertissements };
  });
}

// -------------------------------------------------------------------------------------- reads

/** An invoice with the dossiers it names, its lines and its history. */
export interface FactureDetail {
  facture: FactureRow;
  dossiers: MontantDossier[];
  lignes: Array<LigneRow & { numero_interne: string; numero_externe: string }>;
  historique: HistoriqueFactureRow[];
}

/** Any invoice's detail (the caller decides whose invoice it may read). */
export async function detailOfFacture(db: Knex, facture: FactureRow): Promise<FactureDetail> {
  const [dossiers, lignes, historique] = await Promise.all([dossiersOfFactures(db, [facture.id]), lignesDetaillees(db, facture.id), historyOfFacture(db, facture.id)]);
  return { facture, dossiers: dossiers.get(String(facture.id)) ?? [], lignes, historique };
}

/** The CFA's invoice in detail, or a 404-like refusal. */
export async function readFacture(db: Knex, cfa: Pick<CfaActor, 'siren'>, numeroInterne: string): Promise<FactureDetail> {
  const facture = await findFacture(db, numeroInterne, cfa.siren);
  if (!facture) throw refuse.notFound('FACTURE_INTROUVABLE', `Aucune facture ${numeroInterne} pour ce CFA.`);
  return detailOfFacture(db, facture);
}

/** An invoice of a state list, with the dossiers it names. */
export interface FactureState {
  facture: FactureRow;
  dossiers: MontantDossier[];
}

async function withDossiers(db: Knex, items: FactureRow[]): Promise<FactureState[]> {
  const dossiers = await dossiersOfFactures(db, items.map((f) => f.id));
  return items.map((facture) => ({ facture, dossiers: dossiers.get(String(facture.id)) ?? [] }));
}

export async function pageOfFactureStates(db: Knex, cfa: Pick<CfaActor, 'siren'>, page: number, size: number, etat: string | undefined): Promise<{ total: number; items: FactureState[] }> {
  const { total, items } = await pageOfFactures(db, cfa.siren, { page, size, ...(etat ? { etat } : {}) });
  return { total, items: await withDossiers(db, items) };
}

export async function factureStatesSince(db: Knex, cfa: Pick<CfaActor, 'siren'>, cursor: Cursor, size: number, etat: string | undefined): Promise<FactureState[]> {
  return withDossiers(db, await facturesChangedSince(db, cfa.siren, cursor, size, etat));
}

/** The payments the CFA received, in recording order. */
export function pageOfOwnReglements(db: Knex, cfa: Pick<CfaActor, 'siren'>, page: number, size: number): Promise<{ total: number; items: ReglementDetail[] }> {
  return pageOfReglements(db, { siren: cfa.siren, page, size });
}
