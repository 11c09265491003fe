/**
 * POST /v1|v2/conventions (norme §5.2): the convention de formation of one of the CFA's dossiers,
 * its JSON (validated, every error at once) and the signed file (PDF, JPEG or PNG by content),
 * stored together in one transaction. The costs of the dossier's latest convention are the ones
 * the engagement uses when the back office engages the dossier.
 */
import { Router } from 'express';
import type { Knex } from 'knex';
import type { Config } from '../../config/config.js';
import { recordWrite } from '../../db/audit.js';
import { authorOf } from '../context.js';
import { depositConvention } from '../../db/conventions.js';
import { findDossier, type DossierRow } from '../../db/dossiers.js';
import { validateAgainst } from '../../domain/cerfa/schema-validation.js';
import { eurosToCents } from '../../domain/financing/index.js';
import { calendarDateOf } from '../../domain/formats.js';
import type { Violation } from '../../domain/violation.js';
import { errors } from '../errors.js';
import { checkFile, readUpload } from '../multipart.js';
import { cfaOf } from '../context.js';

type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

const MOBILITE = 'mentionMobiliteInternationale';
const MOBILITE_ACCENTUEE = 'mentionMobilitéInternationale';

/**
 * Renames the accented `couts.mentionMobilitéInternationale` (sent by some ERPs, in NFC or NFD)
 * to the norm's ASCII name; when both are sent, the ASCII one wins.
 */
export function normalizeConvention(data: unknown): unknown {
  if (!isObj(data) || !isObj(data.couts)) return data;
  const couts: Obj = {};
  let accentuee: unknown;
  for (const [key, value] of Object.entries(data.couts)) {
    if (key.normalize('NFC') === MOBILITE_ACCENTUEE) accentuee = value;
    else couts[key] = value;
  }
  if (accentuee !== undefined && !(MOBILITE in couts)) couts[MOBILITE] = accentuee;
  return { ...data, couts };
}

const MONTANTS = ['coutTotalPedagogieCFA', 'montantRQTHAnnee1', 'montantRQTHAnnee2', 'montantRQTHAnnee3', 'montantRQTHAnnee4', 'montantPremierEquipement'];

/** Checks the schema cannot express: amounts to the cent, end dates not before start dates. */
function coherence(convention: Obj, root: string): Violation[] {
  const out: Violation[] = [];
  const couts = convention.couts as Obj;
  for (const name of MONTANTS) {
    const value = couts[name];
    if (typeof value !== 'number') continue;
    try {
      eurosToCents(value);
    } catch {
      out.push({ code: 'MONTANT_INVALIDE', description: `Le champ couts.${name} doit être un montant en euros avec 2 décimales au plus.`, champ: `${root}/couts/${name}`, section: 'convention' });
    }
  }
  const pairs = [['contrat', 'dateDebutContrat', 'dateFinContrat'], ['formation', 'dateDebutFormation', 'dateFinFormation']] as const;
  for (const [block, debut, fin] of pairs) {
    const b = convention[block] as Obj;
    const from = calendarDateOf(String(b[debut]));
    const to = calendarDateOf(String(b[fin]));
    if (to < from) {
      out.push({ code: 'DATES_INCOHERENTES', description: `Le champ ${block}.${fin} (${to}) précède ${block}.${debut} (${from}).`, champ: `${root}/${block}/${fin}`, section: 'convention' });
    }
  }
  return out;
}

/** Non-blocking differences with the dossier, returned as `avertissements`. */
function warnings(convention: Obj, dossier: DossierRow, root: string): Violation[] {
  const out: Violation[] = [];
  const cerfa = dossier.cerfa as { employeur?: Obj; employeurV2?: Obj; contrat?: Obj };
  const employeur = cerfa.employeur ?? cerfa.employeurV2;
  const siret = (convention.employeur as Obj).siret;
  if (typeof employeur?.siret === 'string' && employeur.siret !== siret) {
    out.push({ code: 'EMPLOYEUR_DIFFERENT_DU_DOSSIER', description: `Le SIRET de l'employeur de la convention diffère de celui du dossier ${dossier.numero_interne} (${employeur.siret}).`, champ: `${root}/employeur/siret`, section: 'convention' });
  }
  const contrat = convention.contrat as Obj;
  for (const name of ['dateDebutContrat', 'dateFinContrat'] as const) {
    const held = cerfa.contrat?.[name];
    if (typeof held === 'string' && calendarDateOf(held) !== calendarDateOf(String(contrat[name]))) {
      out.push({ code: 'DATE_DIFFERENTE_DU_DOSSIER', description: `contrat.${name} de la convention diffère de celle du dossier ${dossier.numero_interne} (${calendarDateOf(held)}).`, champ: `${root}/contrat/${name}`, section: 'convention' });
    }
  }
  if (dossier.etat !== 'TRANSMIS' && dossier.etat !== 'EN_COURS_INSTRUCTION') {
    out.push({ code: 'DOSSIER_DEJA_INSTRUIT', description: `Le dossier est à l'état ${dossier.etat} : cette convention est conservée, mais ses coûts ne modifient pas un engagement déjà calculé.`, champ: `${root}/numeroInterneDossier`, section: 'convention' });
  }
  return out;
}

export function conventionRoutes(db: Knex, config: Config): Router {
  const router = Router();

  router.post('/conventions', async (req, res) => {
    const caller = cfaOf(req);
    const upload = await readUpload(req, {
      jsonPart: 'convention', base64Key: 'convention', fileSizeLimitBytes: config.fileSizeLimitBytes, fieldSizeLimitBytes: config.jsonBodyLimitBytes, section: 'convention',
    });
    const root = upload.rootPointer;
    const data = normalizeConvention(upload.data);
    const violations = validateAgainst('convention.schema.json', data, root, () => 'convention');
    if (violations.length) throw errors.validation(violations);
    const convention = data as Obj;
    const incoherences = coherence(convention, root);
    if (incoherences.length) throw errors.validation(incoherences);

    const siretCfa = String((convention.organismeFormation as Obj).siret);
    if (siretCfa.slice(0, 9) !== caller.siren) {
      throw errors.forbidden(
        'ORGANISME_FORMATION_NON_AUTORISE',
        `Le SIRET de l'organisme de formation (${siretCfa}) n'appartient pas au SIREN de la clé (${caller.siren}).`,
        `${root}/organismeFormation/siret`,
      );
    }
    const numeroDossier = String(convention.numeroInterneDossier);
    const dossier = await findDossier(db, caller.siren, numeroDossier);
    if (!dossier) throw errors.notFound(`Aucun dossier ${numeroDossier} pour ce CFA.`, 'DOSSIER_INTROUVABLE');
    const fichier = checkFile(upload.file, root === '' ? '/_files/convention' : '/fichier', 'convention');

    const outcome = await depositConvention(db, {
      dossier,
      cfaSiren: caller.siren,
      contenu: convention,
      fichier: { ...fichier, editeur: req.editor.editeur },
    }, (trx, numero) => recordWrite(trx, authorOf(req), 'CONVENTION_DEPOSEE', { type: 'CONVENTION', id: numero }));
    if (outcome.rejouee) res.setHeader('Idempotent-Replayed', 'true');
    res.json({
      numeroInterneConvention: outcome.numeroInterneConvention,
      numeroInterneDocument: outcome.numeroInterneDocument,
      avertissements: warnings(convention, dossier, root),
    });
  });

  return router;
}
