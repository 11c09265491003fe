/**
 * Dossier use cases of the norm for a CFA: transmit a CERFA, read one or several, list states (pages
 * or feed), read the history. Every read is scoped to the CFA: another CFA's dossier is refused
 * exactly like a missing one.
 */
import type { Knex } from 'knex';
import {
  changesSince, createDossier, etatsInArrivalOrder, findDossier, findDossiers, historyOf, pageOfEtats,
  type CreatedDossier, type DossierContent, type DossierRow, type EtatItem, type HistoryRow, type Origine,
} from '../db/dossiers.js';
import type { Cursor } from '../db/feed.js';
import { loadFinancing, type FinancingRows } from '../db/financing.js';
import { canonicalHash } from '../domain/canonical-json.js';
import type { Cerfa } from '../domain/cerfa/types.js';
import { checkCerfa, countBySection } from '../domain/cerfa/validate.js';
import { parisDate } from '../domain/dates.js';
import { refuse, type Refusal } from '../domain/refusal.js';
import { sha256Hex } from '../domain/secrets.js';
import type { Violation } from '../domain/violation.js';
import { assertOwnSiret, type Actor, type CfaActor } from './actor.js';

/** Identity of the apprentice for duplicate detection: NIR, else birth name + first name + birth date. */
export function apprenticeKey(cerfa: Cerfa): string {
  const a = cerfa.apprenti;
  const identity = a.nir
    ? `nir:${a.nir.slice(0, 13).toUpperCase()}`
    : `id:${a.nom.trim().toLocaleLowerCase('fr')}|${a.prenom.trim().toLocaleLowerCase('fr')}|${a.dateNaissance}`;
  return sha256Hex(identity);
}

export interface Transmission {
  /** `replayed`: the same payload was already stored (a retry): its dossier is returned. */
  outcome: 'created' | 'replayed';
  dossier: CreatedDossier;
  avertissements: Violation[];
}

export interface CheckedCerfa {
  cerfa: Cerfa;
  avertissements: Violation[];
}

/** Who stores a dossier, and through which channel. */
interface Channel {
  actor: Actor;
  editor: { editeur: string | null; logiciel: string | null; version: string | null };
  origine: Origine;
  commentaire: string;
  action: string;
}

/** What the dossier's row derives from its CERFA (duplicate indexes, lists): at transmission and at correction. */
export function contentOf(raw: Record<string, unknown>, cerfa: Cerfa): DossierContent {
  return {
    cerfa: raw,
    empreinteContenu: canonicalHash(raw),
    cleApprenti: apprenticeKey(cerfa),
    employeurSiret: cerfa.employeur.siret,
    dateDebutContrat: cerfa.contrat.dateDebutContrat,
    typeContratApp: cerfa.contrat.typeContratApp,
  };
}

/** Another live dossier of the CFA already holds this initial contract (unique index dossiers_contrat_unique). */
export function sameContractRefusal(numeroInterne: string): Refusal {
  return refuse.conflict(
    'CONTRAT_DEJA_TRANSMIS',
    `Un contrat pour cet apprenti, cet employeur et cette date de début a déjà été transmis (dossier ${numeroInterne}). Pour le modifier, transmettez un avenant (types 31 à 38).`,
    { extensions: { numeroInterne } },
  );
}

const COMMENTAIRES: Record<Origine, string> = {
  API_CFA: 'Transmis par API CFA',
  SAISIE_OPCO: 'Saisi par l’OPCO',
  ENTREPRISE: 'Déposé par l’entreprise',
};

/**
 * The one way a CERFA becomes a dossier: its business rules, then dossier, history and audit line
 * in one statement, in the CFA's feeds at once. `cfaSiren` is the CFA the contract names.
 */
async function storeDossier(db: Knex, cfaSiren: string, raw: Record<string, unknown>, checked: CheckedCerfa, channel: Channel, now: Date): Promise<Transmission> {
  const { cerfa, avertissements } = checked;
  const outcome = await createDossier(db, {
    cfaSiren,
    ...contentOf(raw, cerfa),
    cleId: channel.actor.keyId,
    ...channel.editor,
    acteur: channel.actor.acteur,
    origine: channel.origine,
    commentaire: channel.commentaire,
    action: channel.action,
  }, now, channel.actor.author);
  if (outcome.kind === 'same-contract') throw sameContractRefusal(outcome.numeroInterne);
  return { outcome: outcome.kind === 'same-payload' ? 'replayed' : 'created', dossier: outcome.dossier, avertissements };
}

/** A schema-valid CERFA's business rules, judged on the day the OPCO received it: every error at once, or the read CERFA. */
function checkedCerfa(raw: Record<string, unknown>, receivedAt: Date): CheckedCerfa {
  const check = checkCerfa(raw, parisDate(receivedAt));
  if (!check.ok) {
    throw refuse.invalid(check.erreurs, { extensions: { erreursParSection: countBySection(check.erreurs), avertissements: check.avertissements } });
  }
  return check;
}

/** A CERFA a CFA sends (transmission, correction): its business rules, then its training organisation within the key's SIREN. */
export function checkedCfaCerfa(raw: Record<string, unknown>, cfa: Pick<CfaActor, 'siren'>, receivedAt: Date): CheckedCerfa {
  const checked = checkedCerfa(raw, receivedAt);
  assertOwnSiret(checked.cerfa.organismeFormation.siret, cfa, '/cerfa/organismeFormation/siret', "de l'organisme de formation");
  return checked;
}

/** Checks a schema-valid CERFA's business rules and stores it as TRANSMIS / API_CFA. */
export async function transmitDossier(db: Knex, cfa: CfaActor, raw: Record<string, unknown>, now: Date): Promise<Transmission> {
  const checked = checkedCfaCerfa(raw, cfa, now);
  return storeDossier(db, cfa.siren, raw, checked, { actor: cfa, editor: cfa.editor, origine: 'API_CFA', commentaire: COMMENTAIRES.API_CFA, action: 'DOSSIER_TRANSMIS' }, now);
}

/**
 * The back office registers a CERFA received through another channel (entered by the OPCO,
 * deposited by the employer): the same checks, and the dossier belongs to the CFA whose SIREN is
 * the training organisation's — it shows in that CFA's feeds, lists and reads like any other.
 */
export async function registerDossier(db: Knex, opco: Actor, raw: Record<string, unknown>, origine: Exclude<Origine, 'API_CFA'>, now: Date): Promise<Transmission & { cfaSiren: string }> {
  const checked = checkedCerfa(raw, now);
  const cfaSiren = checked.cerfa.organismeFormation.siret.slice(0, 9);
  const editor = { editeur: null, logiciel: null, version: null };
  const stored = await storeDossier(db, cfaSiren, raw, checked, { actor: opco, editor, origine, commentaire: COMMENTAIRES[origine], action: 'DOSSIER_ENREGISTRE' }, now);
  return { ...stored, cfaSiren };
}

/**
 * An employer transmits an accepted proposal (pré-saisie): a CERFA already checked by the same
 * rules (`checkedCerfa`), stored for the proposal's CFA at TRANSMIS, origine ENTREPRISE — in that
 * CFA's feeds, lists and reads like any other dossier. `db` may be the proposal's transaction.
 */
export function registerEntrepriseDossier(db: Knex, entreprise: Actor, cfaSiren: string, raw: Record<string, unknown>, checked: CheckedCerfa, now: Date): Promise<Transmission> {
  const editor = { editeur: null, logiciel: null, version: null };
  return storeDossier(db, cfaSiren, raw, checked, { actor: entreprise, editor, origine: 'ENTREPRISE', commentaire: COMMENTAIRES.ENTREPRISE, action: 'DOSSIER_ENREGISTRE' }, now);
}

/** The refusal for a dossier that is missing or another CFA's: the same, so nothing is disclosed. */
export function unknownDossier(numeroInterne: string): Refusal {
  return refuse.notFound('DOSSIER_INTROUVABLE', `Aucun dossier ${numeroInterne} pour ce CFA.`);
}

/** The CFA's dossier, or a 404-like refusal. */
export async function ownDossier(db: Knex, cfa: Pick<CfaActor, 'siren'>, numeroInterne: string): Promise<DossierRow> {
  const row = await findDossier(db, cfa.siren, numeroInterne);
  if (!row) throw unknownDossier(numeroInterne);
  return row;
}

export interface DossierWithFinancing {
  dossier: DossierRow;
  financing: FinancingRows | undefined;
}

export async function readDossier(db: Knex, cfa: Pick<CfaActor, 'siren'>, numeroInterne: string): Promise<DossierWithFinancing> {
  const dossier = await ownDossier(db, cfa, numeroInterne);
  return { dossier, financing: await loadFinancing(db, dossier.id) };
}

export async function readDossiers(db: Knex, cfa: Pick<CfaActor, 'siren'>, numerosInternes: string[]): Promise<DossierWithFinancing[]> {
  const rows = await findDossiers(db, cfa.siren, numerosInternes);
  return Promise.all(rows.map(async (dossier) => ({ dossier, financing: await loadFinancing(db, dossier.id) })));
}

export interface EtatsFilter {
  etat?: string | undefined;
  origine?: string | undefined;
}

export function pageOfDossierStates(db: Knex, cfa: Pick<CfaActor, 'siren'>, page: number, size: number, filter: EtatsFilter): Promise<{ total: number; items: EtatItem[] }> {
  return pageOfEtats(db, cfa.siren, { page, size, ...filter });
}

/** Every state of the CFA's dossiers in arrival order, batch by batch (for a streamed answer). */
export function allDossierStates(db: Knex, cfa: Pick<CfaActor, 'siren'>, filter: EtatsFilter, batch = 1000): AsyncGenerator<EtatItem[]> {
  return etatsInArrivalOrder(db, cfa.siren, { batch, ...filter });
}

export function dossierStatesSince(db: Knex, cfa: Pick<CfaActor, 'siren'>, cursor: Cursor, size: number, filter: EtatsFilter): Promise<EtatItem[]> {
  return changesSince(db, cfa.siren, cursor, size, filter);
}

export async function dossierHistory(db: Knex, cfa: Pick<CfaActor, 'siren'>, numeroInterne: string): Promise<{ dossier: DossierRow; history: HistoryRow[] }> {
  const dossier = await ownDossier(db, cfa, numeroInterne);
  return { dossier, history: await historyOf(db, dossier.id) };
}
