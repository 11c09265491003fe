/** Scheduled jobs on demand, for operators: list with last run, run now, unknown job, role. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let opco: string;
beforeAll(async () => {
  t = await startTestGateway();
  opco = await t.opcoKey();
});
afterAll(async () => t.close());

describe('jobs on demand', () => {
  it('lists every job with its schedule, runs one now, and shows that run as its last', async () => {
    const before = await t.http.get('/back-office/v1/jobs').set('X-API-KEY', opco);
    expect(before.status).toBe(200);
    const names = before.body.taches.map((j: { tache: string }) => j.tache);
    expect(names).toEqual(expect.arrayContaining(['purge-idempotence', 'attribuer-rangs', 'purge-jetons', 'purge-executions']));
    expect(before.body.taches.find((j: { tache: string }) => j.tache === 'purge-jetons').derniereExecution).toBeNull();

    await t.db('idempotence').insert({ proprietaire: 'x', cle: 'vieille', empreinte_requete: 'h', etat: 'TERMINE', creee_le: new Date(Date.now() - 48 * 3_600_000) });
    const ran = await t.http.post('/back-office/v1/jobs/purge-idempotence').set('X-API-KEY', opco);
    expect(ran.status, JSON.stringify(ran.body)).toBe(200);
    expect(ran.body, JSON.stringify(ran.body)).toMatchObject({ tache: 'purge-idempotence', resultat: 'success', resume: { supprimees: 1 } });
    // Twice in the same minute: jobs are idempotent, an operator may ask again.
    expect((await t.http.post('/back-office/v1/jobs/purge-idempotence').set('X-API-KEY', opco)).body.resume).toEqual({ supprimees: 0 });

    const after = await t.http.get('/back-office/v1/jobs').set('X-API-KEY', opco);
    const last = after.body.taches.find((j: { tache: string }) => j.tache === 'purge-idempotence').derniereExecution;
    expect(last).toMatchObject({ resultat: 'success' });
    expect(Date.parse(last.debut)).toBeGreaterThan(Date.now() - 60_000);
  });

  it('two runs asked in the same millisecond both run', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      vi.setSystemTime(new Date('2031-03-01T10:00:00Z'));
      const runs = await Promise.all([1, 2].map(() => t.http.post('/back-office/v1/jobs/purge-jetons').set('X-API-KEY', opco)));
      expect(runs.map((r) => [r.status, r.body.resultat])).toEqual([[200, 'success'], [200, 'success']]);
      expect(await t.db('executions_taches').where({ tache: 'purge-jetons' }).where('prevue_le', '>=', new Date('2031-03-01T10:00:00Z'))).toHaveLength(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('an unknown job is a 404; a CFA key cannot run jobs', async () => {
    const unknown = await t.http.post('/back-office/v1/jobs/inconnue').set('X-API-KEY', opco);
    expect(unknown.status).toBe(404);
    expect(unknown.body.errors[0].code).toBe('TACHE_INCONNUE');
    const cfa = await t.cfaKey('123456782');
    expect((await t.http.post('/back-office/v1/jobs/purge-jetons').set('X-API-KEY', cfa)).status).toBe(403);
  });
});
