import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FIXTURE_CFA_SIREN } from '../fixtures/cerfa.js';
import { startTestGateway, type TestGateway } from '../helpers/gateway.js';

let t: TestGateway;
let cfa: string;

beforeAll(async () => {
  t = await startTestGateway();
  cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
});
afterAll(async () => t.close());

const simulate = (body: unknown, key: string | null = cfa, version = 'v2') => {
  const req = t.http.post(`/${version}/simulations/remuneration`);
  if (key) req.set('X-API-KEY', key);
  return req.send(body as object);
};

describe('POST /v2/simulations/remuneration', () => {
  it('a 17-year-old on the SMIC (1 801,80 €): 27 % = 486,49 €, then 43 % from the 1st of the month after the 18th birthday', async () => {
    const res = await simulate({ dateNaissance: '2008-06-15', dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31' });
    expect(res.status).toBe(200);
    expect(res.body.periodes).toEqual([
      { ordre: '1.1', dateDebut: '2025-09-01', dateFin: '2026-06-30', anneeContrat: 1, age: 17, tauxMinimal: 27, typeSalaire: 'SMIC', baseMensuelle: 1801.8, salaireBrutMensuel: 486.49 },
      // Birthday on 15 June 2026: the 18–20 band starts on 1 July (SMIC of 2026: 1 823,03 €; 43 % = 783,9029 → 783,91).
      { ordre: '1.2', dateDebut: '2026-07-01', dateFin: '2026-08-31', anneeContrat: 1, age: 18, tauxMinimal: 43, typeSalaire: 'SMIC', baseMensuelle: 1823.03, salaireBrutMensuel: 783.91 },
      { ordre: '2.1', dateDebut: '2026-09-01', dateFin: '2027-08-31', anneeContrat: 2, age: 18, tauxMinimal: 51, typeSalaire: 'SMIC', baseMensuelle: 1823.03, salaireBrutMensuel: 929.75 },
    ]);
  });

  it('uses the SMC from 21 when it is higher, the Mayotte SMIC for département 976, and the previous contract’s rate as a floor', async () => {
    const base = { dateNaissance: '2003-03-10', dateDebutContrat: '2025-09-01', dateFinContrat: '2026-08-31' };
    const smc = await simulate({ ...base, smc: 2000 });
    expect(smc.body.periodes).toEqual([expect.objectContaining({ age: 22, tauxMinimal: 53, typeSalaire: 'SMC', baseMensuelle: 2000, salaireBrutMensuel: 1060 })]);
    const mayotte = await simulate({ ...base, departementEmployeur: '976' });
    expect(mayotte.body.periodes[0]).toMatchObject({ typeSalaire: 'SMIC', baseMensuelle: 1361.97, salaireBrutMensuel: 721.85 });
    const floor = await simulate({ dateNaissance: '2008-06-15', dateDebutContrat: '2025-09-01', dateFinContrat: '2026-05-31', tauxDerniereAnneeContratPrecedent: 67 });
    expect(floor.body.periodes).toEqual([expect.objectContaining({ tauxMinimal: 67, salaireBrutMensuel: 1207.21 })]);
  });

  it('a contract concluded before 2019 uses the old grid (25 % under 18)', async () => {
    const res = await simulate({ dateNaissance: '2002-05-01', dateDebutContrat: '2018-09-01', dateFinContrat: '2019-08-31', dateConclusion: '2018-08-20' });
    expect(res.body.periodes[0]).toMatchObject({ age: 16, tauxMinimal: 25, baseMensuelle: 1498.47, salaireBrutMensuel: 374.62 });
  });

  it('lists every input error at once, with pointers', async () => {
    const res = await simulate({ dateDebutContrat: '01/09/2025', smc: -5, departementEmployeur: '100' });
    expect(res.status).toBe(400);
    const found = res.body.errors.map((e: { code: string; champ: string }) => `${e.champ} ${e.code}`).sort();
    expect(found).toEqual([
      '/dateDebutContrat FORMAT_INVALIDE', '/dateFinContrat CHAMP_OBLIGATOIRE', '/dateNaissance CHAMP_OBLIGATOIRE',
      '/departementEmployeur FORMAT_INVALIDE', '/smc VALEUR_HORS_LIMITES',
    ]);
    expect(res.body.errors.every((e: { section: string; description: string }) => e.section === 'requete' && e.description.length > 10)).toBe(true);
    const empty = await simulate(undefined);
    expect(empty.status).toBe(400);
  });

  it('checks real dates, their order and a duration of 4 years and 6 months at most', async () => {
    const invalid = await simulate({ dateNaissance: '2008-02-30', dateDebutContrat: '2025-09-01', dateFinContrat: '2026-08-31' });
    expect(invalid.body.errors).toEqual([expect.objectContaining({ code: 'DATE_INVALIDE', champ: '/dateNaissance' })]);
    const reversed = await simulate({ dateNaissance: '2026-01-01', dateDebutContrat: '2025-09-01', dateFinContrat: '2025-08-31' });
    expect(reversed.body.errors.map((e: { champ: string }) => e.champ)).toEqual(['/dateNaissance', '/dateFinContrat']);
    const tooLong = await simulate({ dateNaissance: '2005-01-01', dateDebutContrat: '2025-09-01', dateFinContrat: '2030-03-01' });
    expect(tooLong.body.errors).toEqual([expect.objectContaining({ code: 'DUREE_CONTRAT_EXCESSIVE', champ: '/dateFinContrat' })]);
    const longest = await simulate({ dateNaissance: '2005-01-01', dateDebutContrat: '2025-09-01', dateFinContrat: '2030-02-28' });
    expect(longest.status).toBe(200);
    expect(longest.body.periodes.at(-1)).toMatchObject({ anneeContrat: 5, dateFin: '2030-02-28' });
    const cents = await simulate({ dateNaissance: '2003-03-10', dateDebutContrat: '2025-09-01', dateFinContrat: '2026-08-31', smc: 2000.123 });
    expect(cents.body.errors).toEqual([expect.objectContaining({ code: 'MONTANT_INVALIDE', champ: '/smc' })]);
  });

  it('far-off years are a 400, never a crash', async () => {
    const res = await simulate({ dateNaissance: '9990-01-01', dateDebutContrat: '9999-09-01', dateFinContrat: '9999-12-31' });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toContain('DATE_INVALIDE');
  });

  it('needs a CFA key, and exists in v2 only', async () => {
    const body = { dateNaissance: '2008-06-15', dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31' };
    expect((await simulate(body, null)).status).toBe(403);
    expect((await simulate(body, await t.opcoKey())).status).toBe(403);
    const v1 = await simulate(body, cfa, 'v1');
    expect(v1.status).toBe(404);
    expect(v1.body.errors[0].code).toBe('ROUTE_INCONNUE');
  });
});
