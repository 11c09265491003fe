/**
 * The demo on first start (issue 13 §5): on the first start of an empty embedded database the
 * gateway creates a demo CFA key, a demo employer key (role `entreprise`, its company in the
 * register of members) and a back-office key, and shows them once. `npm run demo` fills the
 * database with a data set for the same CFA (src/services/demo-data.ts). Never in production.
 * Choices: docs/decisions/integration-demo.md.
 */
import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { recordWrite, type Author } from '../db/audit.js';
import * as keys from '../db/keys.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_UAI, FIXTURE_EMPLOYEUR_SIRET } from '../domain/cerfa/sample.js';
import type { Actor } from './actor.js';
import { importAdherents } from './adherents.js';
import { createKey } from './cles.js';

/** The demo CFA: the training organisation of every sample CERFA. */
export const DEMO_CFA = { siren: FIXTURE_CFA_SIREN, uai: FIXTURE_CFA_UAI, libelle: 'CFA de démonstration' } as const;
/** The demo employer: the company of every sample CERFA, and one user of its side. */
export const DEMO_ENTREPRISE = {
  siren: FIXTURE_EMPLOYEUR_SIRET.slice(0, 9),
  siret: FIXTURE_EMPLOYEUR_SIRET,
  courriel: 'rh@numerisia.example.org',
  libelle: 'Entreprise de démonstration',
} as const;
export const DEMO_OPCO_LIBELLE = 'back-office de démonstration';

/** The register line of the demo employer (header of POST /back-office/v1/adherents). */
const DEMO_ADHERENT_CSV = 'siret,raison_sociale,adresse,code_postal,commune,naf,idcc,effectif\n'
  + `${DEMO_ENTREPRISE.siret},Numérisia SAS,12 rue de la République,69002,Lyon,62.02A,1486,45\n`;

/** The demo's own author in the audit trail (no request, no key). */
export function demoActor(): Actor {
  const author: Author = { id_requete: `demo:${randomUUID()}`, cle_id: null, siren: null, client_id: null, editeur: null, logiciel: 'demo', version: null };
  return { author, acteur: 'opco:démonstration', keyId: '' };
}

/** What decides whether a start creates the demo keys. */
export interface DemoSetting {
  /** NODE_ENV=production. */
  production: boolean;
  /** DEMO (default true). */
  demo: boolean;
  /** DATABASE_URL is set: PostgreSQL, never a "first start" of ours. */
  databaseUrl: string | undefined;
}

/** Only the first start (the migrations ran from nothing) of an embedded database, outside production, DEMO not false. */
export function demoKeysAtStart(setting: DemoSetting, databaseWasEmpty: boolean): boolean {
  return databaseWasEmpty && !setting.production && setting.demo && !setting.databaseUrl;
}

/** The demo keys in clear: shown once, stored hashed like every key. */
export interface DemoKeys {
  cfa: string;
  entreprise: string;
  opco: string;
}

/** True when a live (not revoked) key of the demo CFA exists: `npm run demo` then creates no keys. */
export async function hasDemoKeys(db: Knex): Promise<boolean> {
  const rows = await keys.listKeys(db);
  return rows.some((k) => k.role === 'cfa' && k.siren === DEMO_CFA.siren && !k.revoquee_le);
}

/**
 * Creates the three demo keys through the key and register use cases (audited): the CFA of the
 * sample CERFAs, a user of the sample employer (whose company is put in the register of members,
 * so the CFA finds it with GET /v2/adherents), and a back-office key.
 */
export async function createDemoKeys(db: Knex): Promise<DemoKeys> {
  const actor = demoActor();
  await importAdherents(db, actor, DEMO_ADHERENT_CSV);
  const cfa = await createKey(db, actor, { role: 'cfa', siren: DEMO_CFA.siren, uai: DEMO_CFA.uai, libelle: DEMO_CFA.libelle });
  const entreprise = await createKey(db, actor, { role: 'entreprise', siren: DEMO_ENTREPRISE.siren, courriel: DEMO_ENTREPRISE.courriel, libelle: DEMO_ENTREPRISE.libelle });
  // The CLI's path for back-office keys (the service creates CFA and employer keys only), audited the same way.
  const opco = await db.transaction(async (trx) => {
    const created = await keys.createKey(trx, { role: 'opco', libelle: DEMO_OPCO_LIBELLE });
    await recordWrite(trx, actor.author, 'CLE_CREEE', { type: 'CLE_API', id: created.row.id });
    return created;
  });
  return { cfa: cfa.key, entreprise: entreprise.key, opco: opco.key };
}

/**
 * The lines shown once on the console: the keys, who they are, and a curl line to try (`atStart`: by
 * the server's first start, else by `npm run demo`). `demoCommand` is how to fill this very database
 * (with its DATA_DIR when not the default one).
 */
export function demoKeysBanner(demoKeys: DemoKeys, baseUrl: string, atStart = true, demoCommand = 'npm run demo'): string[] {
  return [
    '',
    `=== Démonstration : clés créées ${atStart ? 'au premier démarrage' : 'par npm run demo'} (affichées une seule fois, conservez-les) ===`,
    `CFA ${DEMO_CFA.libelle} (SIREN ${DEMO_CFA.siren}, UAI ${DEMO_CFA.uai}) :`,
    `  ${demoKeys.cfa}`,
    `Entreprise Numérisia SAS (SIREN ${DEMO_ENTREPRISE.siren}, utilisateur ${DEMO_ENTREPRISE.courriel}) :`,
    `  ${demoKeys.entreprise}`,
    'Back-office de l’OPCO :',
    `  ${demoKeys.opco}`,
    'Essayez (liste des dossiers du CFA) :',
    `  curl -H "X-API-KEY: ${demoKeys.cfa}" "${baseUrl}/v2/dossiers/etats?numeroPage=1"`,
    ...(atStart ? [`Remplir la base d’un jeu de données (serveur arrêté) : ${demoCommand}   — désactiver ces clés : DEMO=false`] : []),
    '',
  ];
}
