/**
 * The register of member companies (issue 12, prefill of the Employeur tab): import by the back
 * office (route and CLI, all or nothing, bad rows by line, upsert by SIRET), the CFA's lookup, and
 * `findAdherent` for the proposals.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adherentsCommand } from '../../src/cli/adherents.js';
import { ADHERENT_COLUMNS } from '../../src/domain/adherents.js';
import { findAdherent } from '../../src/services/adherents.js';
import { FIXTURE_EMPLOYEUR_SIRET, siretForSiren } from '../fixtures/cerfa.js';
import { startTestGateway, usingPostgres, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);
const SAMPLE = new URL('../fixtures/adherents-sample.csv', import.meta.url);
const HEADER = ADHERENT_COLUMNS.join(',');

let t: TestGateway;
let opco: string;
let cfa: string;
let sample: string;
beforeAll(async () => {
  t = await startTestGateway();
  opco = await t.opcoKey();
  cfa = await t.cfaKey('778899112');
  sample = await readFile(SAMPLE, 'utf8');
});
afterAll(async () => t.close());

const importCsv = (csv: string, key = opco) => t.http.post('/back-office/v1/adherents').set('X-API-KEY', key).set('Content-Type', 'text/csv').send(csv);
const lookup = (q: string, key = cfa) => t.http.get('/v2/adherents').query({ q }).set('X-API-KEY', key);
const count = async (): Promise<number> => Number((await t.db('adherents').count<Array<{ n: string }>>({ n: '*' }))[0]?.n);

describe('import of the register', () => {
  it('imports the sample through the back office, then replaces by SIRET on a second import', async () => {
    const first = await importCsv(sample);
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ importes: 6, crees: 6, misAJour: 0 });
    const changed = `${HEADER}\n${FIXTURE_EMPLOYEUR_SIRET},Numérisia SAS,14 rue de la République,69002,Lyon,62.02A,1486,52\n${siretForSiren('812345676', 33)},Numérisia SAS,Parc Technologique,69100,Villeurbanne,62.02A,1486,3\n`;
    const second = await importCsv(changed);
    expect(second.body).toEqual({ importes: 2, crees: 1, misAJour: 1 });
    expect(await findAdherent(t.db, FIXTURE_EMPLOYEUR_SIRET)).toMatchObject({ adresse: '14 rue de la République', effectif: 52 });
    // Members absent from a file are kept.
    expect(await count()).toBe(7);
    const audit = await t.db('audit_ecritures').where({ action: 'ADHERENTS_IMPORTES' }).select('objet_id');
    expect(audit.map((a) => a.objet_id)).toEqual(['6', '2']);
  });

  it('accepts `;` with a BOM (a spreadsheet export)', async () => {
    const semicolons = `\uFEFF${sample.replace('"8, chemin des Peupliers"', '8 chemin des Peupliers').replaceAll(',', ';')}`;
    const res = await importCsv(semicolons);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ importes: 6, crees: 0 });
  });

  it('refuses a file with bad rows: every bad row by its line (the header is line 1), nothing written', async () => {
    const before = await count();
    const good = siretForSiren('552100554', 12);
    const res = await importCsv([
      HEADER,
      `${good},Nouvelle Entreprise,,75009,Paris,70.10Z,1486,3`,
      `55210055400099,Mauvais SIRET,,75009,Paris,70.10Z,1486,3`,
      '',
      `${siretForSiren('552100554', 13)},,,7500,Paris,7010,14,beaucoup`,
      `${good},Doublon,,,,,,`,
    ].join('\n'));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { code: string; champ: string }) => e.champ)).toEqual([
      '/lignes/3/siret', '/lignes/5/raison_sociale', '/lignes/5/code_postal', '/lignes/5/naf', '/lignes/5/idcc', '/lignes/5/effectif', '/lignes/6/siret',
    ]);
    expect(new Set(res.body.errors.map((e: { code: string }) => e.code))).toEqual(new Set(['LIGNE_ADHERENT_INVALIDE']));
    expect(res.body.errors[0].description).toMatch(/^Ligne 3, colonne siret : SIRET « 55210055400099 » invalide/);
    expect(res.body.errors[6].description).toMatch(/déjà présent ligne 2/);
    expect(res.body.title).toBe('Fichier des adhérents refusé');
    expect(await count()).toBe(before);
    expect(await findAdherent(t.db, good)).toBeUndefined();
  });

  it('refuses a wrong header and an empty body', async () => {
    const header = await importCsv('siret;nom\n123;x\n');
    expect(header.status).toBe(400);
    expect(header.body.errors).toEqual([expect.objectContaining({ champ: '/lignes/1', description: expect.stringMatching(/^Ligne 1 : En-tête/) })]);
    const empty = await importCsv('');
    expect(empty.status).toBe(400);
  });

  it('lists at most 500 errors, then counts the rest', async () => {
    const lines = [HEADER, ...Array.from({ length: 600 }, (_, i) => `12345,X${i},,,,,,`)];
    const res = await importCsv(lines.join('\n'));
    expect(res.status).toBe(400);
    expect(res.body.errors).toHaveLength(501);
    expect(res.body.errors[500]).toMatchObject({ code: 'LIGNES_ADHERENTS_NON_LISTEES', description: expect.stringMatching(/^100 autre\(s\) erreur\(s\) sur 100 ligne\(s\)/) });
  });

  it('is the back office\'s: a CFA or an employer key is refused', async () => {
    expect((await importCsv(sample, cfa)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
    expect((await importCsv(sample, await t.entrepriseKey('812345676', 'rh@numerisia.example.org'))).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
  });

  it('the CLI imports through the same service (`adherents import`), in process and as a command', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-adherents-'));
    const schema = `adherents_${process.pid}`;
    try {
      const bad = path.join(dir, 'bad.csv');
      writeFileSync(bad, `${HEADER}\n123,x,,,,,,\n`);
      const lines: string[] = [];
      await expect(adherentsCommand.run(t.db, ['import', bad], (l) => lines.push(l))).rejects.toThrow(/rien n'a été importé/);
      expect(lines).toEqual([expect.stringMatching(/^Ligne 2, colonne siret : SIRET « 123 » invalide/)]);
      const out: string[] = [];
      await adherentsCommand.run(t.db, ['import', SAMPLE.pathname], (l) => out.push(l));
      expect(out).toEqual(['6 adhérent(s) importé(s) : 0 créé(s), 6 mis à jour']);

      const env = usingPostgres
        ? { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: schema }
        : { ...process.env, DATA_DIR: dir, DATABASE_URL: '' };
      // The command itself, once (a process opening a fresh database takes a while): a bad file exits 1.
      const failed = await run('npx', ['tsx', 'src/cli/run.ts', 'adherents', 'import', bad], { env }).catch((e: { code: number; stdout: string }) => e);
      expect('code' in failed ? failed.code : 0).toBe(1);
      expect(failed.stdout).toMatch(/^Ligne 2, colonne siret : SIRET « 123 » invalide/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (usingPostgres) await t.db.raw('drop schema if exists ?? cascade', [schema]);
    }
  }, 120_000);
});

describe('lookup by a CFA', () => {
  it('finds by the start of the name, whatever the case and accents, ordered by name, with what a CFA needs only', async () => {
    const res = await lookup('numeri');
    expect(res.status).toBe(200);
    expect(res.body.plusDeResultats).toBe(false);
    expect(res.body.adherents.map((a: { siret: string }) => a.siret)).toEqual([FIXTURE_EMPLOYEUR_SIRET, siretForSiren('812345676', 25), siretForSiren('812345676', 33)]);
    expect(res.body.adherents[0]).toEqual({
      siret: FIXTURE_EMPLOYEUR_SIRET, siren: '812345676', nic: '00173', raisonSociale: 'Numérisia SAS', adresse: '12 rue de la République',
      codePostal: '69002', commune: 'Lyon', naf: '62.02A', idcc: '1486', effectif: 45,
    });
    expect((await lookup('ELECTRICITE gé')).body.adherents.map((a: { raisonSociale: string }) => a.raisonSociale)).toEqual(['Électricité Générale du Rhône']);
    expect((await lookup("l'atel")).body.adherents).toHaveLength(1);
    expect((await lookup('Dupont')).body.adherents).toEqual([]); // a prefix of the name, not a word inside it
  });

  it('finds every establishment of a SIREN, and one by its SIRET (spaces ignored)', async () => {
    expect((await lookup('812345676')).body.adherents).toHaveLength(3);
    const one = await lookup(`${FIXTURE_EMPLOYEUR_SIRET.slice(0, 9)} ${FIXTURE_EMPLOYEUR_SIRET.slice(9)}`);
    expect(one.body.adherents.map((a: { siret: string }) => a.siret)).toEqual([FIXTURE_EMPLOYEUR_SIRET]);
    expect((await lookup('99999999999999')).body.adherents).toEqual([]);
  });

  it('answers at most 20, by name, and says there are more', async () => {
    const rows = Array.from({ length: 25 }, (_, i) => `${siretForSiren('552100554', 100 + i)},Zénith Services ${String(25 - i).padStart(2, '0')},,,,,,`);
    expect((await importCsv([HEADER, ...rows].join('\n'))).status).toBe(200);
    const res = await lookup('zenith');
    expect(res.body.adherents).toHaveLength(20);
    expect(res.body.plusDeResultats).toBe(true);
    expect(res.body.adherents[0].raisonSociale).toBe('Zénith Services 01');
    expect(res.body.adherents[19].raisonSociale).toBe('Zénith Services 20');
  });

  it('needs 2 characters; LIKE wildcards are plain text', async () => {
    expect((await lookup('z')).status).toBe(400);
    expect((await t.http.get('/v2/adherents').set('X-API-KEY', cfa)).body.errors[0].code).toBe('PARAMETRE_OBLIGATOIRE');
    expect((await lookup('%%')).body.adherents).toEqual([]);
    expect((await lookup('__')).body.adherents).toEqual([]);
  });

  it('is the CFAs\': the back office and an employer are refused', async () => {
    expect((await lookup('numeri', opco)).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
    expect((await lookup('numeri', await t.entrepriseKey('812345676', 'rh@numerisia.example.org'))).body.errors[0].code).toBe('CLE_API_NON_HABILITEE');
  });
});

describe('findAdherent (for the proposals)', () => {
  it('finds a member establishment by SIRET, undefined for a non-member or a malformed SIRET', async () => {
    expect(await findAdherent(t.db, FIXTURE_EMPLOYEUR_SIRET)).toEqual({
      siret: FIXTURE_EMPLOYEUR_SIRET, siren: '812345676', raisonSociale: 'Numérisia SAS', adresse: '12 rue de la République',
      codePostal: '69002', commune: 'Lyon', naf: '62.02A', idcc: '1486', effectif: 45,
    });
    expect(await findAdherent(t.db, siretForSiren('812345676', 99))).toBeUndefined();
    expect(await findAdherent(t.db, '123')).toBeUndefined();
  });
});
