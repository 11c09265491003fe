/**
 * The norm's dossier routes (v1 and v2): transmit a CERFA, read it back, list states (pages or
 * incremental feed), read the history. Every read is scoped to the key's CFA: another CFA's dossier
 * answers 404, exactly like a missing one.
 */
import { Router, type Request } from 'express';
import type { Knex } from 'knex';
import { authorOf } from '../../db/audit.js';
import { formatCursor, parseCursor } from '../../db/feed.js';
import {
  changesSince, createDossier, ETATS_DOSSIER, type DossierRow, findDossier, findDossiers, historyOf, ORIGINES, pageOfEtats,
} from '../../db/dossiers.js';
import { checkDossierRequest, countBySection } from '../../domain/cerfa/validate.js';
import type { Cerfa } from '../../domain/cerfa/types.js';
import { parisDate } from '../../domain/dates.js';
import { canonicalHash } from '../../domain/canonical-json.js';
import { sha256Hex } from '../../domain/secrets.js';
import type { Metrics } from '../../observability/metrics.js';
import { actorOf, type Caller } from '../context.js';
import { errors } from '../errors.js';
import { requireJsonBody } from '../middleware/error-handler.js';
import { idempotency } from '../middleware/idempotency.js';
import { dossierView, etatView, historyView, type FinancingView } from '../presenters/dossier.js';
import { QueryReader } from '../query.js';

export type FinancingLoader = (db: Knex, dossierId: string) => Promise<FinancingView | undefined>;

export function cfaOf(req: Request): Caller & { siren: string } {
  const caller = req.caller;
  if (!caller?.siren) throw errors.forbidden('CLE_API_NON_HABILITEE', 'Clé CFA requise.');
  return caller as Caller & { siren: string };
}

/** Identity of the apprentice for duplicate detection: NIR, else birth name + first name + birth date. */
export function apprenticeKey(cerfa: Cerfa): string {
  const a = cerfa.apprenti;
  const identity = a.nir
    ? `nir:${a.nir.slice(0, 13).toUpperCase()}`
    : `id:${a.nom.trim().toLocaleLowerCase('fr')}|${a.prenom.trim().toLocaleLowerCase('fr')}|${a.dateNaissance}`;
  return sha256Hex(identity);
}

/** The caller's dossier named by `?numeroInterne=`: 400 when absent, 404 when unknown or another CFA's. */
async function ownDossier(db: Knex, req: Request): Promise<DossierRow> {
  const caller = cfaOf(req);
  const q = new QueryReader(req);
  const numero = q.string('numeroInterne', { required: true, max: 40 });
  if (q.violations.length || !numero) throw errors.validation(q.violations);
  const row = await findDossier(db, caller.siren, numero);
  if (!row) throw errors.notFound(`Aucun dossier ${numero} pour ce CFA.`, 'DOSSIER_INTROUVABLE');
  return row;
}

export function dossierRoutes(db: Knex, metrics: Metrics, loadFinancing?: FinancingLoader): Router {
  const router = Router();

  router.post('/dossiers', requireJsonBody, idempotency(db), async (req, res) => {
    const caller = cfaOf(req);
    const now = new Date();
    const check = checkDossierRequest(req.body, parisDate(now));
    if (!check.ok) {
      metrics.contractsReceived.inc({ outcome: 'invalid' });
      throw errors.validation(check.erreurs, {
        erreursParSection: countBySection(check.erreurs),
        avertissements: check.avertissements,
      });
    }
    const { cerfa, raw, avertissements } = check;
    if (cerfa.organismeFormation.siret.slice(0, 9) !== caller.siren) {
      throw errors.forbidden(
        'ORGANISME_FORMATION_NON_AUTORISE',
        `Le SIRET de l'organisme de formation (${cerfa.organismeFormation.siret}) n'appartient pas au SIREN de la clé (${caller.siren}).`,
        '/cerfa/organismeFormation/siret',
      );
    }
    const outcome = await createDossier(db, {
      cfaSiren: caller.siren,
      cerfa: raw,
      empreinteContenu: canonicalHash(raw),
      cleApprenti: apprenticeKey(cerfa),
      employeurSiret: cerfa.employeur.siret,
      dateDebutContrat: cerfa.contrat.dateDebutContrat,
      typeContratApp: cerfa.contrat.typeContratApp,
      cleId: caller.keyId,
      editeur: req.editor.editeur,
      logiciel: req.editor.logiciel,
      version: req.editor.version,
      acteur: actorOf(caller),
    }, now, authorOf(req));

    if (outcome.kind === 'same-contract') {
      metrics.contractsReceived.inc({ outcome: 'duplicate' });
      throw errors.conflict(
        'CONTRAT_DEJA_TRANSMIS',
        `Un contrat pour cet apprenti, cet employeur et cette date de début a déjà été transmis (dossier ${outcome.numeroInterne}). Pour le modifier, transmettez un avenant (types 31 à 38).`,
        { numeroInterne: outcome.numeroInterne },
      );
    }
    if (outcome.kind === 'same-payload') {
      metrics.contractsReceived.inc({ outcome: 'replayed' });
      res.setHeader('Idempotent-Replayed', 'true');
    } else {
      metrics.contractsReceived.inc({ outcome: 'created' });
    }
    const d = outcome.dossier;
    res.json({ numeroInterne: d.numero_interne, numeroExterne: d.numero_externe, etat: d.etat, avertissements });
  });

  router.get('/dossiers', async (req, res) => {
    const row = await ownDossier(db, req);
    res.json(dossierView(row, await loadFinancing?.(db, row.id)));
  });

  router.get('/dossiers/liste', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const numeros = q.list('numerosInternes', { required: true, max: 100 });
    if (q.violations.length) throw errors.validation(q.violations);
    const rows = await findDossiers(db, caller.siren, numeros);
    res.json(await Promise.all(rows.map(async (row) => dossierView(row, await loadFinancing?.(db, row.id)))));
  });

  router.get('/dossiers/etats', async (req, res) => {
    const caller = cfaOf(req);
    const q = new QueryReader(req);
    const page = q.integer('numeroPage', 1, 1, 10_000_000);
    const size = q.integer('taillePage', 100, 1, 1000);
    const etat = q.oneOf('etat', ETATS_DOSSIER);
    const origine = q.oneOf('origine', ORIGINES);
    const depuis = q.string('depuis', { max: 41 });
    const cursor = depuis === undefined ? undefined : parseCursor(depuis);
    if (depuis !== undefined && !cursor) q.custom('depuis', 'Le paramètre depuis doit être un curseur rendu par curseurSuivant (ou 0 pour tout relire).');
    if (q.violations.length) throw errors.validation(q.violations);
    const v1 = req.baseUrl === '/v1';

    if (depuis !== undefined && cursor) {
      const items = await changesSince(db, caller.siren, cursor, size, { etat, origine });
      const last = items[items.length - 1];
      const body = {
        count: items.length,
        EtatDossierResult: items.map(etatView),
        curseurSuivant: last ? formatCursor(last) : depuis,
        plusDeResultats: items.length === size,
      };
      // v1 answers a bare array: the cursor travels in a header so v1 clients can follow the feed too.
      res.setHeader('Curseur-Suivant', body.curseurSuivant);
      res.setHeader('Plus-De-Resultats', String(body.plusDeResultats));
      res.json(v1 ? body.EtatDossierResult : body);
      return;
    }
    const { total, items } = await pageOfEtats(db, caller.siren, { page, size, etat, origine });
    const list = items.map(etatView);
    res.json(v1 ? list : { total, count: list.length, page, EtatDossierResult: list });
  });

  router.get('/dossiers/historique', async (req, res) => {
    const row = await ownDossier(db, req);
    res.json({ numeroInterne: row.numero_interne, etat: row.etat, historique: historyView(await historyOf(db, row.id), false) });
  });

  return router;
}
