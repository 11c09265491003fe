/**
 * The norm's invoicing routes for CFAs: transmit an invoice (multipart, or JSON with the PDF in
 * base64 under `_files.facture`), read invoice states (pages or incremental feed, §5.7), one
 * invoice with its lines and history, certificats de réalisation (§5.4) and the payments received.
 * Every read is scoped to the key's CFA: another CFA's invoice answers 404 like a missing one.
 */
import { formatCursor, parseCursor } from '../../db/feed.js';
import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config/config.js';
import { recordWrite } from '../../db/audit.js';
import { findDossier, type DossierRow } from '../../db/dossiers.js';
import {
  deposerCertificat, deposerFacture, dossiersDesFactures, facturesChangedSince, findFacture, historiqueFacture, lignesDetaillees, pageOfFactures,
  type FactureRow, type MontantDossier,
} from '../../db/factures.js';
import { pageOfReglements, type ReglementDetail } from '../../db/reglements.js';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { centsToEuros } from '../../domain/financing/index.js';
import { parisDate } from '../../domain/dates.js';
import { calendarDateOf } from '../../domain/formats.js';
import { lireFacture } from '../../domain/invoicing/index.js';
import { ETATS_FACTURE } from '../../domain/lifecycle/index.js';
import type { Violation } from '../../domain/violation.js';
import { actorOf, authorOf } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { checkFile, decodeBase64File, readUpload, type CheckedFile } from '../multipart.js';
import { historyView } from '../presenters/dossier.js';
import { QueryReader } from '../query.js';
import { cfaOf } from '../context.js';

const euros = (cents: string | number): number => centsToEuros(Number(cents));

/** One invoice as in `GET /v2/factures/etats` (norme §5.7), field for field. */
export function etatFactureView(f: FactureRow, dossiers: MontantDossier[] = []): Record<string, unknown> {
  return {
    numeroInterneFacture: f.numero_interne,
    referenceFactureCFA: f.numero,
    montantFacture: euros(f.montant_total_centimes),
    etatFacture: f.etat,
    referenceVirement: f.reference_virement,
    dateReglement: f.date_reglement,
    commentaire: f.commentaire,
    organismeFormation: { siret: f.siret_emetteur, IBAN: f.iban_emetteur },
    dossiers: dossiers.map((d) => ({ numeroInterneDossier: d.numeroInterneDossier, numeroExterneDossier: d.numeroExterneDossier, montant: centsToEuros(d.montantCents) })),
  };
}

/** An invoice with its lines (amount invoiced and paid per line) and its history. */
export async function factureDetailView(db: Knex, f: FactureRow, forOpco: boolean): Promise<Record<string, unknown>> {
  const [dossiers, lignes, historique] = await Promise.all([dossiersDesFactures(db, [f.id]), lignesDetaillees(db, f.id), historiqueFacture(db, f.id)]);
  return {
    ...etatFactureView(f, dossiers.get(String(f.id))),
    montantRegle: euros(f.montant_regle_centimes),
    dateEmission: f.date_emission,
    estCertificatRealisation: f.est_certificat_realisation,
    corrections: f.corrections,
    recueLe: new Date(f.recue_le).toISOString(),
    dateMiseAJour: new Date(f.mis_a_jour_le).toISOString(),
    ...(forOpco ? { cfaSiren: f.cfa_siren } : {}),
    lignes: lignes.map((l) => ({
      numeroInterneDossier: l.numero_interne,
      numeroExterneDossier: l.numero_externe,
      numeroEcheance: l.numero_echeance,
      codificationEcheance: l.codification,
      natureLigne: l.nature,
      quantite: l.quantite,
      montant: euros(l.montant_centimes),
      montantRegle: euros(l.montant_regle_centimes),
    })),
    historique: historyView(historique, forOpco),
  };
}

export function reglementView(r: ReglementDetail, forOpco: boolean): Record<string, unknown> {
  return {
    idReglement: r.reglement.numero_interne,
    referenceVirement: r.reglement.reference_virement,
    dateReglement: r.reglement.date_reglement,
    montant: euros(r.reglement.montant_centimes),
    ...(forOpco ? { cfaSiren: r.reglement.cfa_siren, enregistreLe: new Date(r.reglement.enregistre_le).toISOString() } : {}),
    factures: r.factures.map((f) => ({
      numeroInterneFacture: f.numeroInterneFacture,
      referenceFactureCFA: f.referenceFactureCFA,
      etatFacture: f.etatFacture,
      montant: centsToEuros(f.montantCents),
      dossiers: f.dossiers.map((d) => ({ numeroInterneDossier: d.numeroInterneDossier, numeroExterneDossier: d.numeroExterneDossier, montant: centsToEuros(d.montantCents) })),
    })),
  };
}

function sirenMismatch(siret: string, siren: string, champ: string, what: string): ApiError {
  return errors.forbidden('ORGANISME_FORMATION_NON_AUTORISE', `Le SIRET ${what} (${siret}) n'appartient pas au SIREN de la clé (${siren}).`, champ);
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function factureRoutes(db: Knex, config: Config): Router {
  const router = Router();

  router.post('/factures', async (req, res) => {
    const caller = cfaOf(req);
    const upload = await readUpload(req, {
      jsonPart: 'facture', base64Key: 'facture', fileSizeLimitBytes: config.fileSizeLimitBytes, fieldSizeLimitBytes: config.jsonBodyLimitBytes, section: 'facture',
    });
    // Multipart: the `facture` part is the invoice. JSON: the body is {"facture": {…}, "_files": {"facture": "…"}}.
    const multipart = upload.rootPointer !== '';
    const raw = multipart ? upload.data : asObject(upload.data)?.facture;
    const schemaViolations = validateAgainst('facture.schema.json', raw, '/facture', () => 'facture');
    if (schemaViolations.length) throw errors.validation(schemaViolations);
    const contenu = raw as Record<string, unknown>;
    const { facture, violations } = lireFacture(contenu);
    if (!facture) throw errors.validation(violations);
    if (facture.siretEmetteur.slice(0, 9) !== caller.siren) throw sirenMismatch(facture.siretEmetteur, caller.siren, '/facture/siretEmetteur', 'émetteur');
    const champFichier = multipart ? '/fichier' : '/_files/facture';
    const fichier = checkFile(upload.file, champFichier, 'facture');
    if (fichier.typeMime !== 'application/pdf') {
      const description = 'La facture doit être un PDF.';
      throw new ApiError(415, [{ code: 'TYPE_FICHIER_NON_SUPPORTE', description, champ: champFichier, section: 'facture' }], { title: 'Type de fichier non pris en charge', detail: description });
    }
    const outcome = await deposerFacture(db, {
      cfaSiren: caller.siren,
      facture,
      contenu,
      fichier: { ...fichier, nomFichier: fichier.nomFichier ?? `${facture.numero}.pdf`, editeur: req.editor.editeur },
      cleId: caller.keyId,
      editeur: req.editor.editeur,
      logiciel: req.editor.logiciel,
      version: req.editor.version,
      acteur: actorOf(caller),
      aujourdHui: parisDate(new Date()),
    }, (trx, f) => recordWrite(trx, authorOf(req), facture.numeroInterneFactureCorrigee ? 'FACTURE_CORRIGEE' : 'FACTURE_TRANSMISE', { type: 'FACTURE', id: f.numero_interne }));
    if (!outcome.ok) throw errors.validation(outcome.violations);
    res.json({ numeroInterneFacture: outcome.facture.numero_interne, numeroInterneDocument: outcome.numeroInterneDocument });
  });

  router.get('/factures/etats', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 10_000_000);
    const size = q.integer('taillePage', 100, 1, 1000);
    const etat = q.oneOf('etat', ETATS_FACTURE);
    const depuis = q.string('depuis', { max: 41 });
    const cursor = depuis === undefined ? undefined : parseCursor(depuis);
    if (depuis !== undefined && !cursor) q.custom('depuis', 'Le paramètre depuis doit être un curseur rendu par curseurSuivant (ou 0 pour tout relire).');
    if (q.violations.length) throw errors.validation(q.violations);

    if (depuis !== undefined && cursor) {
      const items = await facturesChangedSince(db, caller.siren, cursor, size, etat);
      const dossiers = await dossiersDesFactures(db, items.map((f) => f.id));
      const last = items[items.length - 1];
      res.json({
        count: items.length,
        factures: items.map((f) => etatFactureView(f, dossiers.get(String(f.id)))),
        curseurSuivant: last ? formatCursor(last) : depuis,
        plusDeResultats: items.length === size,
      });
      return;
    }
    const { total, items } = await pageOfFactures(db, caller.siren, { page, size, etat });
    const dossiers = await dossiersDesFactures(db, items.map((f) => f.id));
    res.json({ total, count: items.length, page, factures: items.map((f) => etatFactureView(f, dossiers.get(String(f.id)))) });
  });

  router.get('/factures', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const numero = q.string('numeroInterneFacture', { required: true, max: 20 });
    if (q.violations.length || !numero) throw errors.validation(q.violations);
    const f = await findFacture(db, numero, caller.siren);
    if (!f) throw errors.notFound(`Aucune facture ${numero} pour ce CFA.`, 'FACTURE_INTROUVABLE');
    res.json(await factureDetailView(db, f, false));
  });

  router.post('/certificats', requireJsonBody, async (req: Request, res) => {
    const caller = cfaOf(req);
    const body = asObject(req.body);
    const violations = validateAgainst('certificat.schema.json', req.body, '', () => 'requete');
    if (violations.length || !body) throw errors.validation(violations);
    const dossierRef = String(body.numeroInterneDossier);
    const dossier = await findDossier(db, caller.siren, dossierRef);
    if (!dossier) throw errors.notFound(`Aucun dossier ${dossierRef} pour ce CFA.`, 'DOSSIER_INTROUVABLE');
    const of = asObject(body.organismeFormation);
    const siretOf = String(of?.siret);
    if (siretOf.slice(0, 9) !== caller.siren) throw sirenMismatch(siretOf, caller.siren, '/organismeFormation/siret', "de l'organisme de formation");
    const metier: Violation[] = [];
    const siretEmployeur = String(asObject(body.employeur)?.siret);
    const employeurDossier = (dossier as DossierRow & { employeur_siret?: string }).employeur_siret;
    if (employeurDossier && siretEmployeur !== employeurDossier) {
      metier.push({ code: 'EMPLOYEUR_INCOHERENT', description: `Le SIRET de l'employeur (${siretEmployeur}) n'est pas celui du dossier.`, champ: '/employeur/siret', section: 'requete' });
    }
    const echeance = asObject(body.echeance) ?? {};
    const files = asObject(body._files);
    let fichier: CheckedFile | undefined;
    if (files?.certificat !== undefined && files.certificat !== null && files.certificat !== '') {
      try {
        const contenuFichier = decodeBase64File(files.certificat, '/_files/certificat', config.fileSizeLimitBytes, 'requete');
        fichier = checkFile({ nomFichier: undefined, contenu: contenuFichier }, '/_files/certificat', 'requete');
      } catch (err) {
        // A 400 on the file (not base64, empty) is listed with the other errors; 413 / 415 stand alone.
        if (!(err instanceof ApiError) || err.status !== 400) throw err;
        metier.push(...err.errors.map((e): Violation => ({ code: e.code, description: e.description, champ: e.champ ?? '/_files/certificat', section: e.section ?? 'requete' })));
      }
    }
    // The échéance and invoice checks run in deposerCertificat, which lists `metier` with them.
    const { _files: _ignored, ...contenu } = body;
    const codification = typeof echeance.codification === 'string' && echeance.codification.trim() !== '' ? echeance.codification.trim() : undefined;
    const facture = body.numeroInterneFacture === undefined || body.numeroInterneFacture === null || body.numeroInterneFacture === '' ? undefined : String(body.numeroInterneFacture);
    const outcome = await deposerCertificat(db, {
      cfaSiren: caller.siren,
      dossier,
      numeroEcheance: Number(echeance.numero),
      ...(codification ? { codification } : {}),
      ...(facture ? { numeroInterneFacture: facture } : {}),
      typeCertificat: String(body.typeCertificat),
      contenu: {
        ...contenu,
        ...(typeof body.dateSignature === 'string' ? { dateSignature: calendarDateOf(body.dateSignature) } : {}),
      },
      ...(fichier ? { fichier: { ...fichier, editeur: req.editor.editeur } } : {}),
      acteur: actorOf(caller),
      prealables: metier,
    }, (trx, numero) => recordWrite(trx, authorOf(req), 'CERTIFICAT_TRANSMIS', { type: 'CERTIFICAT', id: numero }));
    if (!outcome.ok) throw errors.validation(outcome.violations);
    res.json({ numeroInterneCertificat: outcome.numeroInterneCertificat, numeroInterneDocument: outcome.numeroInterneDocument });
  });

  router.get('/reglements', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 10_000_000);
    const size = q.integer('taillePage', 100, 1, 1000);
    if (q.violations.length) throw errors.validation(q.violations);
    const { total, items } = await pageOfReglements(db, { siren: caller.siren, page, size });
    res.json({ total, count: items.length, page, reglements: items.map((r) => reglementView(r, false)) });
  });

  return router;
}
