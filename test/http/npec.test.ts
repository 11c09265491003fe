import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, usingPostgres, type TestGateway } from '../helpers/gateway.js';

const run = promisify(execFile);
const SAMPLE = new URL('../fixtures/npec-sample.csv', import.meta.url);

let t: TestGateway;
let opco: string;
beforeAll(async () => {
  t = await startTestGateway();
  opco = await t.opcoKey();
});
afterAll(async () => t.close());

describe('NPEC referential', () => {
  it('imports the sample CSV through the back office, then lists an RNCP with its effective dates', async () => {
    const csv = await readFile(SAMPLE, 'utf8');
    const res = await t.http.post('/back-office/v1/npec').set('X-API-KEY', opco).set('Content-Type', 'text/csv').send(csv);
    expect(res.status).toBe(200);
    expect(res.body.lignesImportees).toBe(csv.trim().split('\n').length - 1);
    const rows = await t.http.get('/back-office/v1/npec').query({ rncp: 'RNCP35185' }).set('X-API-KEY', opco);
    expect(rows.body).toEqual(expect.arrayContaining([
      { rncp: '35185', idcc: '1486', npec: 8000, dateEffet: '2022-09-01' },
      { rncp: '35185', idcc: '1486', npec: 7600, dateEffet: '2024-07-15' },
      { rncp: '35185', idcc: '9999', npec: 7200, dateEffet: '2023-09-08' },
    ]));
    // Importing again replaces amounts instead of duplicating rows.
    await t.http.post('/back-office/v1/npec').set('X-API-KEY', opco).set('Content-Type', 'text/csv').send(csv);
    const again = await t.http.get('/back-office/v1/npec').query({ rncp: '35185' }).set('X-API-KEY', opco);
    expect(again.body).toHaveLength(rows.body.length);
  });

  it('refuses a CSV with bad lines, listing each, and imports nothing', async () => {
    const before = await t.db('npec_referentiel').count<{ n: string }[]>({ n: '*' });
    const res = await t.http.post('/back-office/v1/npec').set('X-API-KEY', opco).set('Content-Type', 'text/csv')
      .send('rncp,idcc,npec,date_effet\nRNCP1234,1486,abc,2025-01-01\nRNCP1234,1486,100.00,2025-13-01\n');
    expect(res.status).toBe(400);
    expect(res.body.errors.length).toBe(2);
    expect(res.body.errors[0].description).toMatch(/Ligne 2/);
    const after = await t.db('npec_referentiel').count<{ n: string }[]>({ n: '*' });
    expect(after).toEqual(before);
  });

  it('the CLI imports the same file (`npec import`)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cgw-npec-'));
    const schema = `npec_${process.pid}`;
    const env = usingPostgres
      ? { ...process.env, DATABASE_URL: process.env.TEST_DATABASE_URL, DATABASE_SCHEMA: schema }
      : { ...process.env, DATA_DIR: dir, DATABASE_URL: '' };
    try {
      const out = await run('npx', ['tsx', 'src/cli/run.ts', 'npec', 'import', SAMPLE.pathname], { env });
      expect(out.stdout).toMatch(/^12 ligne\(s\) NPEC importée\(s\)/m);
      const bad = path.join(dir, 'bad.csv');
      writeFileSync(bad, 'rncp,idcc,npec\nx,y,z\n');
      const failed = await run('npx', ['tsx', 'src/cli/run.ts', 'npec', 'import', bad], { env }).catch((e: { code: number; stdout: string }) => e);
      expect('code' in failed ? failed.code : 0).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      if (usingPostgres) await t.db.raw('drop schema if exists ?? cascade', [schema]);
    }
  }, 60_000);
});
