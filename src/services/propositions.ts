/**
 * Proposals of contract (pré-saisie, issue 12): the CFA drafts, sends to a member employer; the
 * employer accepts (and completes) or refuses, then transmits to the OPCO, where the proposal
 * becomes a dossier of the CFA. Every state change goes through `changePropositionState`.
 * Choices: docs/decisions/presaisie.md, "Proposals".
 */
import { recordEvent } from '../db/webhooks.js';
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { countPropositionDocuments, linkPropositionDocuments } from '../db/documents.js';
import type { Cursor } from '../db/feed.js';
import {
  contentColumns, findProposition, historyOf, insertHistory, insertProposition, pageOfPropositions, propositionsChangedSince, updateProposition,
  type HistoryRow, type ListQuery, type PropositionRow, type Scope,
} from '../db/propositions.js';
import { searchKey } from '../domain/adherents.js';
import { changedLeaves } from '../domain/cerfa/changes.js';
import { parisDate } from '../domain/dates.js';
import { isJsonObject } from '../domain/json.js';
import { checkPropositionCerfa, type PropositionCheck } from '../domain/propositions-check.js';
import {
  attestationViolations, byTab, canMove, countByTab, employeurOf, employeurSiretOf, envoiViolations, LIBELLES_ETAT, MODIFIABLE_PAR_LE_CFA, ongletOf, ONGLETS_ENVOI,
  prefillEmployeur, prefillFormation, saveMinimumViolations, searchTextOf, summaryOf, VISIBLES_PAR_L_ENTREPRISE,
  type EtatProposition, type TabReport,
} from '../domain/propositions.js';
import { normalizeCerfa } from '../domain/cerfa/normalize.js';
import { isIsoDate } from '../domain/dates.js';
import { buildEngagementInput } from '../domain/financing/input.js';
import { centsToEuros, computeEngagement, FinancementError, niveauDiplome, resolveNpec, type ParametresFinancement } from '../domain/financing/index.js';
import { npecRowsFor } from '../db/financing.js';
import { Refusal, refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { Actor, CfaActor, EntrepriseActor } from './actor.js';
import { findAdherent } from './adherents.js';
import { profileOf } from './cfa-profil.js';
import { isEntrepriseContact } from './cles.js';
import { registerEntrepriseDossier, sameContractRefusal } from './dossiers.js';
import { simulateRemuneration } from './simulations.js';

/** Who acts on a proposal: its CFA or an employer. */
export type PropositionActor = { role: 'cfa'; actor: CfaActor } | { role: 'entreprise'; actor: EntrepriseActor };

export function scopeOf(who: PropositionActor): Scope {
  return who.role === 'cfa'
    ? { kind: 'cfa', siren: who.actor.siren }
    : { kind: 'entreprise', siren: who.actor.siren, etats: VISIBLES_PAR_L_ENTREPRISE };
}

/** A missing proposal and one out of the caller's scope answer the same. */
function unknownProposition(numero: string): Refusal {
  return refuse.notFound('PROPOSITION_INTROUVABLE', `Aucune proposition ${numero} pour cette clé.`);
}

async function ownProposition(db: Knex, who: PropositionActor, numero: string, lock = false): Promise<PropositionRow> {
  const row = await findProposition(db, scopeOf(who), numero, lock);
  if (!row) throw unknownProposition(numero);
  return row;
}

function stateRefusal(row: PropositionRow, what: string): Refusal {
  return refuse.conflict('ETAT_PROPOSITION_INCOMPATIBLE', `${what} impossible : la proposition ${row.numero} est à l’état ${row.etat} (${LIBELLES_ETAT[row.etat]}).`, { extensions: { etat: row.etat } });
}

/** The documents tab's finding: the convention de formation is mandatory. */
const CONVENTION_MANQUANTE: Violation = {
  code: 'DOCUMENT_OBLIGATOIRE', champ: '/documents', section: 'document',
  description: 'La convention de formation est obligatoire : déposez-la avec POST /v1/documents (typeFichier CONVENTION_FORMATION, objet PROPOSITION).',
};

/** Everything the read of a proposal reports, by tab. */
export interface Controle {
  complet: boolean;
  nombreErreurs: number;
  onglets: TabReport[];
  avertissements: Violation[];
}

function controleOf(check: PropositionCheck, extra: readonly Violation[]): Controle {
  const all = [...check.schema, ...check.regles, ...extra];
  return { complet: all.length === 0, nombreErreurs: all.length, onglets: byTab(all), avertissements: check.avertissements };
}

/** The proposal as the answers show it: its control by tab, and the check it came from (for the Synthèse). */
async function checked(db: Knex, row: PropositionRow, strict: boolean, now: Date): Promise<PropositionRead> {
  const check = checkPropositionCerfa(row.cerfa, strict, parisDate(now));
  const conventions = await countPropositionDocuments(db, row.numero, 'CONVENTION_FORMATION');
  const extra = [...organismeViolations(row.cerfa, row.cfa_siren), ...(conventions ? [] : [CONVENTION_MANQUANTE]), ...attestationViolations(row.cerfa)];
  return { row, check, controle: controleOf(check, extra) };
}

/** A save's input: `{cerfa}` as sent (the table checked that it is an object). */
export interface PropositionBody {
  cerfa: Record<string, unknown>;
}

function assertSaveMinimum(cerfa: Record<string, unknown>): void {
  const missing = saveMinimumViolations(cerfa);
  if (missing.length) throw refuse.invalid(missing, { extensions: { erreursParOnglet: countByTab(missing) } });
}

/** The training organisation, once its SIRET has the shape of one, must belong to the CFA (as for dossiers). */
function organismeViolations(cerfa: Record<string, unknown>, cfaSiren: string): Violation[] {
  const organisme = cerfa.organismeFormation;
  const siret = isJsonObject(organisme) && typeof organisme.siret === 'string' ? organisme.siret.replace(/\s/g, '') : '';
  if (!/^[0-9]{14}$/.test(siret) || siret.slice(0, 9) === cfaSiren) return [];
  return [{
    code: 'ORGANISME_FORMATION_NON_AUTORISE', champ: '/cerfa/organismeFormation/siret', section: 'organismeFormation',
    description: `Le SIRET de l’organisme de formation (${siret}) n’appartient pas au SIREN du CFA de la proposition (${cfaSiren}).`,
  }];
}

function assertOwnOrganisme(cerfa: Record<string, unknown>, cfaSiren: string): void {
  const [v] = organismeViolations(cerfa, cfaSiren);
  if (v) throw refuse.forbidden(v.code, v.description, v.champ);
}

/** The employer's fields known to the member register, filled in where the CFA left them empty. */
async function withRegister(db: Knex, cerfa: Record<string, unknown>): Promise<Record<string, unknown>> {
  const siret = employeurSiretOf(cerfa);
  return siret ? prefillEmployeur(cerfa, await findAdherent(db, siret)) : cerfa;
}

function contentOf(cerfa: Record<string, unknown>, numero: string, row?: Pick<PropositionRow, 'dossier_numero_interne' | 'dossier_numero_externe'>): Record<string, unknown> {
  const summary = summaryOf(cerfa);
  return contentColumns(cerfa, summary, searchTextOf(summary, [numero, row?.dossier_numero_interne, row?.dossier_numero_externe]));
}

export interface PropositionRead {
  row: PropositionRow;
  controle: Controle;
  check: PropositionCheck;
  /** Leaves filled by the prefill (CFA profile, member register) at this save. */
  prerempli?: string[];
}

// ------------------------------------------------------------------------------ the state change

export interface StateChange {
  evenement: string;
  /** The CERFA leaves this step changed. */
  champs?: string[];
  commentaire?: string | null;
  /** Other columns written with the state (content, dossier numbers, motif). */
  columns?: Record<string, unknown>;
}

/**
 * The one place a proposal changes state: checks the move, writes the state (and the step's other
 * columns), the history line and the audit line in the caller's transaction; the feeds of both
 * sides see it at commit. (The webhooks' outbox event belongs here.)
 */
export async function changePropositionState(
  trx: Knex.Transaction, row: PropositionRow, to: EtatProposition, actor: Actor, change: StateChange, now: Date,
): Promise<PropositionRow> {
  if (!canMove(row.etat, to)) throw stateRefusal(row, `Le passage à l’état ${to}`);
  const updated = await updateProposition(trx, row.id, { ...change.columns, etat: to }, now);
  await insertHistory(trx, row.id, { evenement: change.evenement, etat: to, acteur: actor.acteur, champs: change.champs ?? [], commentaire: change.commentaire ?? null }, now);
  await recordWrite(trx, actor.author, `PROPOSITION_${change.evenement}`, { type: 'PROPOSITION', id: row.numero });
  // Webhooks (docs/decisions/integration-webhooks.md): the CFA and the employer it is addressed to,
  // in this transaction; ids and the feed cursor only.
  const donnees = { numero: updated.numero, etat: to, numeroInterneDossier: updated.dossier_numero_interne, curseur: `${updated.xid_modif}.${updated.id}` };
  await recordEvent(trx, { role: 'cfa', siren: updated.cfa_siren, type: 'proposition.etat', donnees });
  if (updated.employeur_siren) await recordEvent(trx, { role: 'entreprise', siren: updated.employeur_siren, type: 'proposition.etat', donnees });
  return updated;
}

// ------------------------------------------------------------------------------------- use cases

/** POST /v2/propositions: a new proposal, EN_COURS_DE_SAISIE, prefilled; the four guide fields required. */
export async function createProposition(db: Knex, cfa: CfaActor, body: PropositionBody, strict: boolean, now: Date, copyOf?: string): Promise<PropositionRead> {
  // An organisation of another SIREN is one more problem of the Formation tab (listed, blocks the sending).
  assertSaveMinimum(body.cerfa);
  const cerfa = await withRegister(db, prefillFormation(body.cerfa, await profileOf(db, cfa.siren)));
  const prerempli = changedLeaves(body.cerfa, cerfa).map((p) => `/cerfa${p}`);
  const row = await db.transaction(async (trx) => {
    const created = await insertProposition(trx, { cfaSiren: cfa.siren, content: (numero) => contentOf(cerfa, numero) }, now);
    await insertHistory(trx, created.id, {
      evenement: 'CREEE', etat: created.etat, acteur: cfa.acteur, champs: changedLeaves({}, cerfa).map((p) => `/cerfa${p}`),
      commentaire: copyOf ? `Copie de la proposition ${copyOf}` : null,
    }, now);
    await recordWrite(trx, cfa.author, copyOf ? 'PROPOSITION_DUPLIQUEE' : 'PROPOSITION_CREEE', { type: 'PROPOSITION', id: created.numero });
    return created;
  });
  return { ...(await checked(db, row, strict, now)), prerempli };
}

export async function readProposition(db: Knex, who: PropositionActor, numero: string, strict: boolean, now: Date): Promise<PropositionRead> {
  const row = await ownProposition(db, who, numero);
  return checked(db, row, strict, now);
}

/**
 * PUT /v2/propositions/{id}: the CERFA replaced. The CFA while EN_COURS_DE_SAISIE or
 * ENVOYE_A_L_ENTREPRISE; the employer once it accepted (EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE),
 * without changing the employer's SIREN or the CFA. Anything else: 409 naming the state, before any
 * check of the body. A sent proposal stays sent while it still meets the conditions of the sending
 * and names the same employer (who sees the new version); otherwise it is taken back (REPRISE,
 * EN_COURS_DE_SAISIE), to be completed and sent again.
 */
export async function modifyProposition(db: Knex, who: PropositionActor, numero: string, body: PropositionBody, strict: boolean, now: Date): Promise<PropositionRead> {
  const row = await db.transaction(async (trx) => {
    const current = await ownProposition(trx, who, numero, true);
    const allowed = who.role === 'cfa' ? MODIFIABLE_PAR_LE_CFA : ['EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE'];
    if (!allowed.includes(current.etat)) throw stateRefusal(current, 'La modification');
    assertSaveMinimum(body.cerfa);
    // The employer cannot take the proposal away from its CFA; for the CFA it is a problem of the Formation tab.
    if (who.role === 'entreprise') assertOwnOrganisme(body.cerfa, current.cfa_siren);
    if (who.role === 'entreprise' && employeurSiretOf(body.cerfa)?.slice(0, 9) !== who.actor.siren) {
      throw refuse.forbidden('EMPLOYEUR_NON_AUTORISE', `Le SIRET de l’employeur doit rester celui d’un établissement de l’entreprise ${who.actor.siren}.`, '/cerfa/employeur/siret');
    }
    const cerfa = who.role === 'cfa' ? await withRegister(trx, body.cerfa) : body.cerfa;
    const champs = changedLeaves(current.cerfa, cerfa).map((p) => `/cerfa${p}`);
    const columns = contentOf(cerfa, current.numero, current);
    // Sent to another employer, or no longer sendable: taken back (both employers see the state change).
    const autreEmployeur = (summaryOf(cerfa).employeurSiren ?? null) !== current.employeur_siren;
    if (current.etat === 'ENVOYE_A_L_ENTREPRISE' && (autreEmployeur || (await sendingBlockers(trx, cerfa, current.numero, current.cfa_siren, strict, now)).blocking.length)) {
      return changePropositionState(trx, current, 'EN_COURS_DE_SAISIE', who.actor, { evenement: 'REPRISE', champs, columns }, now);
    }
    const updated = await updateProposition(trx, current.id, columns, now);
    await insertHistory(trx, current.id, { evenement: 'MODIFIEE', etat: current.etat, acteur: who.actor.acteur, champs, commentaire: null }, now);
    await recordWrite(trx, who.actor.author, 'PROPOSITION_MODIFIEE', { type: 'PROPOSITION', id: current.numero });
    return updated;
  });
  return checked(db, row, strict, now);
}

/**
 * What stops a proposal from being sent to the employer (every field of the Employeur, Apprenti(e)
 * and Formation tabs, the code diplôme, the convention de formation among the documents, a member
 * employer, a contact e-mail of one of its users), and the rest of the CERFA as warnings.
 */
async function sendingBlockers(trx: Knex.Transaction, cerfa: Record<string, unknown>, numero: string, cfaSiren: string, strict: boolean, now: Date): Promise<{ blocking: Violation[]; warnings: Violation[] }> {
  const check = checkPropositionCerfa(cerfa, strict, parisDate(now));
  const blocking = check.schema.filter((v) => ONGLETS_ENVOI.includes(ongletOf(v.champ)));
  const warnings = [...check.schema.filter((v) => !ONGLETS_ENVOI.includes(ongletOf(v.champ))), ...check.regles, ...check.avertissements];
  blocking.push(...envoiViolations(cerfa), ...organismeViolations(cerfa, cfaSiren));
  if (!(await countPropositionDocuments(trx, numero, 'CONVENTION_FORMATION'))) blocking.push(CONVENTION_MANQUANTE);
  const siret = employeurSiretOf(cerfa);
  if (siret && !(await findAdherent(trx, siret))) {
    blocking.push({ code: 'EMPLOYEUR_NON_ADHERENT', champ: '/cerfa/employeur/siret', section: 'employeur', description: `L’établissement ${siret} n’est pas adhérent de l’OPCO : la proposition ne peut être envoyée qu’à une entreprise adhérente.` });
  }
  const courriel = employeurOf(cerfa)?.courriel;
  if (typeof courriel !== 'string' || courriel.trim() === '') {
    blocking.push({ code: 'CHAMP_OBLIGATOIRE', champ: '/cerfa/employeur/courriel', section: 'employeur', description: 'Le courriel du contact de l’employeur est obligatoire pour envoyer la proposition : c’est l’utilisateur de l’entreprise qui la recevra.' });
  } else if (siret && !(await isEntrepriseContact(trx, siret.slice(0, 9), courriel))) {
    blocking.push({ code: 'CONTACT_EMPLOYEUR_INCONNU', champ: '/cerfa/employeur/courriel', section: 'employeur', description: 'Le courriel du contact de l’employeur n’est celui d’aucun utilisateur de l’entreprise : l’entreprise doit d’abord obtenir son accès (clé entreprise) auprès de l’OPCO.' });
  }
  return { blocking, warnings };
}

/** Refusal of a step, listing every blocking finding by tab, with the others as warnings. */
function stepRefusal(blocking: Violation[], avertissements: Violation[]): Refusal {
  return refuse.invalid(blocking, { extensions: { erreursParOnglet: countByTab(blocking), avertissements } });
}

/** POST /v2/propositions/{id}/transmission (CFA → employer), when nothing blocks it (`sendingBlockers`). */
export async function sendToEntreprise(db: Knex, cfa: CfaActor, numero: string, strict: boolean, now: Date): Promise<PropositionRead> {
  const who: PropositionActor = { role: 'cfa', actor: cfa };
  // Checked under the row lock: what is sent is exactly what was checked.
  const row = await db.transaction(async (trx) => {
    const current = await ownProposition(trx, who, numero, true);
    if (current.etat !== 'EN_COURS_DE_SAISIE') throw stateRefusal(current, 'L’envoi à l’entreprise');
    const { blocking, warnings } = await sendingBlockers(trx, current.cerfa, numero, cfa.siren, strict, now);
    if (blocking.length) throw stepRefusal(blocking, warnings);
    return changePropositionState(trx, current, 'ENVOYE_A_L_ENTREPRISE', cfa, { evenement: 'ENVOYEE' }, now);
  });
  return checked(db, row, strict, now);
}

export type Decision = { decision: 'ACCEPTEE'; motif?: string | null } | { decision: 'REFUSEE'; motif: string };

/** POST /v2/propositions/{id}/decision (employer): accept, or refuse with a reason. */
export async function decideProposition(db: Knex, entreprise: EntrepriseActor, numero: string, body: { decision: 'ACCEPTEE' | 'REFUSEE'; motif?: string | null | undefined }, strict: boolean, now: Date): Promise<PropositionRead> {
  const motif = typeof body.motif === 'string' ? body.motif.trim() : '';
  if (body.decision === 'REFUSEE' && motif === '') {
    throw refuse.invalid([{ code: 'CHAMP_OBLIGATOIRE', champ: '/motif', section: 'requete', description: 'Le motif du refus est obligatoire.' }]);
  }
  const who: PropositionActor = { role: 'entreprise', actor: entreprise };
  const row = await db.transaction(async (trx) => {
    const current = await ownProposition(trx, who, numero, true);
    if (current.etat !== 'ENVOYE_A_L_ENTREPRISE') throw stateRefusal(current, 'La décision');
    return body.decision === 'ACCEPTEE'
      ? changePropositionState(trx, current, 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE', entreprise, { evenement: 'ACCEPTEE', commentaire: motif || null }, now)
      : changePropositionState(trx, current, 'REFUSE_PAR_L_ENTREPRISE', entreprise, { evenement: 'REFUSEE', commentaire: motif, columns: { motif_refus: motif } }, now);
  });
  return checked(db, row, strict, now);
}

/**
 * POST /v2/propositions/{id}/transmission-opco (employer): the same CERFA rules as POST
 * /v1/dossiers, the Attestation tab, the convention de formation; then a dossier at TRANSMIS,
 * origine ENTREPRISE, of the proposal's CFA, with the proposal's documents.
 */
export async function transmitToOpco(db: Knex, entreprise: EntrepriseActor, numero: string, strict: boolean, now: Date): Promise<PropositionRead> {
  const who: PropositionActor = { role: 'entreprise', actor: entreprise };
  // Checked under the row lock: the dossier holds exactly the CERFA that was checked.
  const row = await db.transaction(async (trx) => {
    const current = await ownProposition(trx, who, numero, true);
    if (current.etat !== 'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE') throw stateRefusal(current, 'La transmission à l’OPCO');
    const check = checkPropositionCerfa(current.cerfa, strict, parisDate(now));
    const blocking = [...check.schema, ...check.regles, ...attestationViolations(current.cerfa), ...organismeViolations(current.cerfa, current.cfa_siren)];
    if (!(await countPropositionDocuments(trx, numero, 'CONVENTION_FORMATION'))) blocking.push(CONVENTION_MANQUANTE);
    if (blocking.length || !check.cerfa) throw stepRefusal(blocking, check.avertissements);
    const valid = { cerfa: check.cerfa, avertissements: check.avertissements };
    const { outcome, dossier } = await registerEntrepriseDossier(trx, entreprise, current.cfa_siren, check.lu, valid, now);
    // The very same CERFA is already a live dossier of the CFA: this proposal is the same contract, not a retry of its own.
    if (outcome === 'replayed') throw sameContractRefusal(dossier.numero_interne);
    await linkPropositionDocuments(trx, current.numero, dossier.numero_interne);
    const numeros = { dossier_numero_interne: dossier.numero_interne, dossier_numero_externe: dossier.numero_externe };
    return changePropositionState(trx, current, 'TRANSMIS_A_L_OPCO', entreprise, {
      evenement: 'TRANSMISE_A_L_OPCO', commentaire: `Dossier ${dossier.numero_externe} (${dossier.numero_interne})`,
      columns: { ...numeros, recherche: searchTextOf(summaryOf(current.cerfa), [current.numero, dossier.numero_interne, dossier.numero_externe]) },
    }, now);
  });
  return checked(db, row, strict, now);
}

/** POST /v2/propositions/{id}/duplication: a new EN_COURS_DE_SAISIE proposal with the same CERFA (any state). */
export async function duplicateProposition(db: Knex, cfa: CfaActor, numero: string, strict: boolean, now: Date): Promise<PropositionRead> {
  const source = await ownProposition(db, { role: 'cfa', actor: cfa }, numero);
  return createProposition(db, cfa, { cerfa: source.cerfa }, strict, now, source.numero);
}

export async function propositionHistory(db: Knex, cfa: CfaActor, numero: string): Promise<{ row: PropositionRow; history: HistoryRow[] }> {
  const row = await ownProposition(db, { role: 'cfa', actor: cfa }, numero);
  return { row, history: await historyOf(db, row.id) };
}

export function listPropositions(db: Knex, who: PropositionActor, query: ListQuery): Promise<{ total: number; rows: PropositionRow[] }> {
  return pageOfPropositions(db, scopeOf(who), { ...query, q: query.q ? searchKey(query.q) : undefined });
}

export function propositionsSince(db: Knex, who: PropositionActor, cursor: Cursor, size: number, etat?: EtatProposition): Promise<PropositionRow[]> {
  return propositionsChangedSince(db, scopeOf(who), cursor, size, etat);
}

// ------------------------------------------------------------------------- Contrat and Synthèse tabs

export interface PropositionOffers {
  /** Contrat tab: the simulator's legal minimum pay, period by period (null while inputs are missing). */
  remunerationProposee: Array<Record<string, unknown>> | null;
  /** Synthèse tab: the NPEC and the engagement the financing engine would compute — an estimate. */
  synthese: Record<string, unknown> | null;
}

const day = (value: unknown): string | undefined => (typeof value === 'string' && isIsoDate(value.slice(0, 10)) ? value.slice(0, 10) : undefined);

function remunerationOf(cerfa: Record<string, unknown>): PropositionOffers['remunerationProposee'] {
  const apprenti = isJsonObject(cerfa.apprenti) ? cerfa.apprenti : {};
  const contrat = isJsonObject(cerfa.contrat) ? cerfa.contrat : {};
  const dateNaissance = day(apprenti.dateNaissance);
  const dateDebutContrat = day(contrat.dateDebutContrat);
  const dateFinContrat = day(contrat.dateFinContrat);
  if (!dateNaissance || !dateDebutContrat || !dateFinContrat) return null;
  const smc = typeof contrat.smc === 'number' ? contrat.smc : null;
  try {
    return simulateRemuneration({ dateNaissance, dateDebutContrat, dateFinContrat, dateConclusion: day(contrat.dateConclusion ?? contrat.dateSignature) ?? null, smc }).map((p) => ({
      ordre: p.ordre, dateDebut: p.dateDebut, dateFin: p.dateFin, anneeContrat: p.anneeContrat, age: p.age, tauxMinimal: p.tauxMinimal,
      typeSalaire: p.typeSalaire, baseMensuelle: centsToEuros(p.baseMensuelleCents), salaireBrutMensuel: centsToEuros(p.salaireBrutMensuelCents),
    }));
  } catch (err) {
    if (err instanceof Refusal) return null; // incoherent dates: the Contrat tab's own errors say so
    throw err;
  }
}

/**
 * The NPEC that would apply (référentiel, IDCC, date of conclusion) and the engagement and
 * échéancier the engine would compute at ENGAGE — with no convention yet, so without RQTH nor
 * frais annexes. Needs a CERFA that satisfies the schema; null before.
 */
async function syntheseOf(db: Knex, check: PropositionCheck, parametres: ParametresFinancement): Promise<PropositionOffers['synthese']> {
  if (check.schema.length) return null;
  const typed = normalizeCerfa(check.lu);
  const npec = resolveNpec(await npecRowsFor(db, typed.formation.rncp), {
    rncp: typed.formation.rncp,
    idcc: typed.employeur.codeIdcc,
    dateConclusion: typed.contrat.dateConclusion,
    niveauDiplome: niveauDiplome(typed.formation.typeDiplome),
  });
  const npecView = { npecAnnuel: centsToEuros(npec.npecCents), source: npec.source, dateEffet: npec.dateEffet ?? null, explication: npec.explication };
  try {
    const result = computeEngagement(buildEngagementInput(typed, undefined, npec.npecCents, parametres));
    return {
      estimation: true,
      avertissement: 'Estimation : l’engagement définitif est calculé par l’OPCO à la prise en charge du dossier, avec les coûts de la convention.',
      npec: npecView,
      engagement: centsToEuros(result.engagementCents),
      participationEmployeur: centsToEuros(result.participationEmployeurCents),
      echeances: result.echeances.map((e) => ({
        numero: e.numero, type: e.type, anneeExecution: e.anneeExecution, dateOuverture: e.dateOuverture, dateDebut: e.dateDebut, dateFin: e.dateFin,
        montant: centsToEuros(e.montantTotalCents),
      })),
      explications: result.explications,
    };
  } catch (err) {
    if (!(err instanceof FinancementError)) throw err;
    return { estimation: true, npec: npecView, engagement: null, echeances: [], explications: [err.violation.description] };
  }
}

export async function offersOf(db: Knex, read: PropositionRead, parametres: ParametresFinancement): Promise<PropositionOffers> {
  return { remunerationProposee: remunerationOf(read.row.cerfa), synthese: await syntheseOf(db, read.check, parametres) };
}
