/**
 * Conventions de formation (norme §5.2): the convention of one of the CFA's dossiers, its JSON
 * (normalised, checked beyond the schema) and the signed file, stored together in one transaction.
 * The costs of the dossier's latest convention are the ones the engagement uses.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { storeConvention } from '../db/conventions.js';
import { DocumentDejaDepose } from '../db/documents.js';
import type { DossierRow } from '../db/dossiers.js';
import { validateAgainst } from '../domain/cerfa/schema-validation.js';
import { conventionIncoherences, normalizeConvention, type Convention } from '../domain/convention.js';
import { calendarDateOf } from '../domain/formats.js';
import { refuse } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import { assertOwnSiret, type CfaActor } from './actor.js';
import type { StoredFile } from './documents.js';
import { ownDossier } from './dossiers.js';

declare const CHECKED: unique symbol;
/** A convention that passed `checkConvention`: normalised, coherent, for the CFA's own dossier. */
export interface CheckedConvention {
  readonly [CHECKED]: true;
  convention: Convention;
  dossier: DossierRow;
  /** Where the convention sits in the request (`/convention` in multipart, `` in JSON). */
  root: string;
}

/**
 * Normalises a schema-valid convention (the accented cost name), then refuses it when incoherent
 * (400), when its organisme de formation is not the CFA's (403) or its dossier not the CFA's (404).
 */
export async function checkConvention(db: Knex, cfa: Pick<CfaActor, 'siren'>, sent: Convention, root: string): Promise<CheckedConvention> {
  const convention = normalizeConvention(sent);
  // A renamed member is checked under its norm's name, as if it had been sent so.
  const renamed = convention === sent ? [] : validateAgainst('convention.schema.json', convention, root, () => 'convention');
  if (renamed.length) throw refuse.invalid(renamed);
  const incoherences = conventionIncoherences(convention, root);
  if (incoherences.length) throw refuse.invalid(incoherences);
  assertOwnSiret(convention.organismeFormation.siret, cfa, `${root}/organismeFormation/siret`, "de l'organisme de formation");
  const dossier = await ownDossier(db, cfa, convention.numeroInterneDossier);
  return { convention, dossier, root } as CheckedConvention;
}

export interface ConventionDeposit {
  numeroInterneConvention: string;
  numeroInterneDocument: string;
  /** True for a retry (same JSON, same file): the stored numbers, nothing written. */
  replayed: boolean;
  /** Non-blocking differences with the dossier. */
  avertissements: Violation[];
}

/** Stores a checked convention and its signed file (a CONVENTION_FORMATION document of the dossier), audited. */
export async function depositConvention(db: Knex, cfa: CfaActor, checked: CheckedConvention, fichier: StoredFile): Promise<ConventionDeposit> {
  const { convention, dossier, root } = checked;
  const input = { dossier, cfaSiren: cfa.siren, contenu: convention, fichier: { ...fichier, editeur: cfa.editor.editeur } };
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const outcome = await db.transaction(async (trx) => {
        const stored = await storeConvention(trx, input);
        if (!stored.rejouee) await recordWrite(trx, cfa.author, 'CONVENTION_DEPOSEE', { type: 'CONVENTION', id: stored.numeroInterneConvention });
        return stored;
      });
      return {
        numeroInterneConvention: outcome.numeroInterneConvention,
        numeroInterneDocument: outcome.numeroInterneDocument,
        replayed: outcome.rejouee,
        avertissements: conventionWarnings(convention, dossier, root),
      };
    } catch (err) {
      // A concurrent upload of the same file won the link: the next attempt finds and reuses it.
      if (!(err instanceof DocumentDejaDepose)) throw err;
    }
  }
  throw new Error('could not store the convention');
}

type Obj = Record<string, unknown>;

/** Non-blocking differences with the dossier, returned as `avertissements`. */
export function conventionWarnings(convention: Convention, dossier: Pick<DossierRow, 'numero_interne' | 'etat' | 'cerfa'>, root: string): Violation[] {
  const out: Violation[] = [];
  const cerfa = dossier.cerfa as { employeur?: Obj; employeurV2?: Obj; contrat?: Obj };
  const employeur = cerfa.employeur ?? cerfa.employeurV2;
  const siret = convention.employeur.siret;
  if (typeof employeur?.siret === 'string' && employeur.siret !== siret) {
    out.push({ code: 'EMPLOYEUR_DIFFERENT_DU_DOSSIER', description: `Le SIRET de l'employeur de la convention diffère de celui du dossier ${dossier.numero_interne} (${employeur.siret}).`, champ: `${root}/employeur/siret`, section: 'convention' });
  }
  for (const name of ['dateDebutContrat', 'dateFinContrat'] as const) {
    const held = cerfa.contrat?.[name];
    if (typeof held === 'string' && calendarDateOf(held) !== calendarDateOf(convention.contrat[name])) {
      out.push({ code: 'DATE_DIFFERENTE_DU_DOSSIER', description: `contrat.${name} de la convention diffère de celle du dossier ${dossier.numero_interne} (${calendarDateOf(held)}).`, champ: `${root}/contrat/${name}`, section: 'convention' });
    }
  }
  if (dossier.etat !== 'TRANSMIS' && dossier.etat !== 'EN_COURS_INSTRUCTION') {
    out.push({ code: 'DOSSIER_DEJA_INSTRUIT', description: `Le dossier est à l'état ${dossier.etat} : cette convention est conservée, mais ses coûts ne modifient pas un engagement déjà calculé.`, champ: `${root}/numeroInterneDossier`, section: 'convention' });
  }
  return out;
}
