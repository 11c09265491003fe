/**
 * Payloads as the CFA software in the wild writes them (docs/compatibilite.md): every number and
 * boolean sent as text, misspelt or misplaced members, empty optional codes. Accepted, stored and
 * read back normalised, each change listed once as an avertissement with its pointer; refused in
 * strict mode (STRICT_INPUT=true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importNpecRows } from '../../src/db/financing.js';
import { schemaNamed } from '../../src/domain/cerfa/schema-validation.js';
import { FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, FIXTURE_EMPLOYEUR_SIRET, validCerfaPayload } from '../fixtures/cerfa.js';
import { createTestDatabase, startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';
import { engagedDossier, facture, jsonBody, startInvoicing, type Harness } from './factures-fixture.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Warning = { code: string; champ: string; description: string };

/** Every number and boolean of a payload written as text, as an ERP reading its own text columns sends them. */
function asText(value: unknown): Json {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(asText);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asText(v)]));
  return value as Json;
}

/** Pointers of the numbers and booleans of a payload, with their values. */
function typedLeaves(value: unknown, pointer = ''): Map<string, number | boolean> {
  const out = new Map<string, number | boolean>();
  if (typeof value === 'number' || typeof value === 'boolean') out.set(pointer, value);
  else if (Array.isArray(value)) value.forEach((v, i) => typedLeaves(v, `${pointer}/${i}`).forEach((x, p) => out.set(p, x)));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) typedLeaves(v, `${pointer}/${k}`).forEach((x, p) => out.set(p, x));
  return out;
}

function at(value: unknown, pointer: string): unknown {
  return pointer.split('/').slice(1).reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** True when the schema gives a code list (enum) for the member at `pointer`. */
function isCode(file: string, pointer: string): boolean {
  const nodesAt = (node: Record<string, unknown> | undefined, parts: string[]): Array<Record<string, unknown>> => {
    if (!node) return [];
    const own = [node, ...(typeof node.$ref === 'string' ? [schemaNamed(node.$ref) as Record<string, unknown>] : [])];
    const branches = own.flatMap((n) => [n, ...['allOf', 'anyOf', 'oneOf'].flatMap((k) => (Array.isArray(n[k]) ? (n[k] as Array<Record<string, unknown>>) : []))]);
    const all = branches.flatMap((b) => (typeof b.$ref === 'string' ? [b, schemaNamed(b.$ref) as Record<string, unknown>] : [b]));
    if (parts.length === 0) return all;
    const [head, ...rest] = parts;
    return all.flatMap((b) => {
      const props = b.properties as Record<string, Record<string, unknown>> | undefined;
      if (/^\d+$/.test(head ?? '') && b.items) return nodesAt(b.items as Record<string, unknown>, rest);
      return props && head && props[head] ? nodesAt(props[head], rest) : [];
    });
  };
  return nodesAt(schemaNamed(file) as Record<string, unknown>, pointer.split('/').slice(1)).some((n) => Array.isArray(n.enum));
}

const codesAt = (warnings: Warning[]): string[] => warnings.map((w) => `${w.code} ${w.champ}`).sort();

let h: Harness;
let t: TestGateway;

beforeAll(async () => {
  h = await startInvoicing();
  t = h.t;
});
afterAll(async () => t.close());

describe('numbers and booleans sent as text', () => {
  it('a CERFA whose every number and boolean is text: accepted, one warning per conversion, stored and read back typed', async () => {
    const original = validCerfaPayload(801);
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(asText(original) as object);
    expect(res.status, JSON.stringify(res.body.errors ?? []).slice(0, 500)).toBe(200);
    const leaves = typedLeaves(original);
    expect(leaves.size).toBeGreaterThan(20);
    const converted = (res.body.avertissements as Warning[]).filter((w) => w.code === 'VALEUR_CONVERTIE');
    // Codes are kept in their list's form silently (both writings are the contract's): every other
    // number and boolean gets exactly one warning.
    const got = converted.map((w) => w.champ);
    for (const p of got) expect(leaves.has(p), p).toBe(true);
    for (const p of leaves.keys()) expect(got.includes(p), p).toBe(!isCode('dossier-request.schema.json', p));
    expect(new Set(converted.map((w) => w.champ)).size).toBe(converted.length); // once each
    for (const w of converted) expect(w.description).toMatch(/a été reçu sous la forme ".*" et lu comme/);

    const read = await t.http.get('/v2/dossiers').query({ numeroInterne: res.body.numeroInterne }).set('X-API-KEY', h.cfa);
    for (const [pointer, value] of leaves) expect(at({ cerfa: read.body.cerfa }, pointer), pointer).toStrictEqual(value);
    const stored = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('cerfa');
    for (const [pointer, value] of leaves) expect(at({ cerfa: stored.cerfa }, pointer), pointer).toStrictEqual(value);
  });

  it('decimal comma, trailing zeros and codes in either writing; never "35 h", "1e3" or a third decimal on money', async () => {
    const ok = validCerfaPayload(802);
    const contrat = ok.cerfa.contrat as Record<string, unknown>;
    contrat.dureeTravailHebdoHeures = '35,0';
    contrat.salaireEmbauche = String(contrat.salaireEmbauche).replace('.', ',');
    (ok.cerfa.employeur as Record<string, unknown>).typeEmployeur = '12';
    const accepted = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(ok);
    expect(accepted.status).toBe(200);
    expect(codesAt(accepted.body.avertissements).filter((c) => c.startsWith('VALEUR_CONVERTIE'))).toEqual([
      'VALEUR_CONVERTIE /cerfa/contrat/dureeTravailHebdoHeures', 'VALEUR_CONVERTIE /cerfa/contrat/salaireEmbauche',
    ]);
    const stored = await t.db('dossiers').where({ numero_interne: accepted.body.numeroInterne }).first('cerfa');
    expect(stored.cerfa.employeur.typeEmployeur).toBe(12);
    expect(stored.cerfa.contrat.dureeTravailHebdoHeures).toBe(35);

    const bad = validCerfaPayload(803);
    const c = bad.cerfa.contrat as Record<string, unknown>;
    c.dureeTravailHebdoHeures = '35 h';
    c.salaireEmbauche = '954.961';
    (bad.cerfa.employeur as Record<string, unknown>).nombreDeSalaries = '1e3';
    (bad.cerfa.formation as Record<string, unknown>).dureeFormation = '1,000';
    (bad.cerfa.maitre1 as Record<string, unknown>).dateNaissance = '1975-03-04';
    ((bad.cerfa.contrat as Record<string, unknown>).remunerationsAnnuelles as Array<Record<string, unknown>>)[0]!.taux = '53,000';
    const refused = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(bad);
    expect(refused.status).toBe(400);
    expect(refused.body.errors.map((e: Warning) => `${e.code} ${e.champ}`).sort()).toEqual([
      'MONTANT_INVALIDE /cerfa/contrat/salaireEmbauche', 'TYPE_INVALIDE /cerfa/contrat/dureeTravailHebdoHeures', 'TYPE_INVALIDE /cerfa/contrat/remunerationsAnnuelles/0/taux',
      'TYPE_INVALIDE /cerfa/employeur/nombreDeSalaries', 'TYPE_INVALIDE /cerfa/formation/dureeFormation',
    ]);
  });

  it('a convention whose costs and flags are text', async () => {
    const created = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(804));
    const convention = {
      numeroInterneDossier: created.body.numeroInterne,
      employeur: { siret: FIXTURE_EMPLOYEUR_SIRET },
      apprenti: { nom: (validCerfaPayload(804).cerfa.apprenti as Record<string, unknown>).nom, prenom: (validCerfaPayload(804).cerfa.apprenti as Record<string, unknown>).prenom },
      contrat: { dateDebutContrat: '2025-09-01', dateFinContrat: '2027-08-31' },
      organismeFormation: { siret: FIXTURE_CFA_SIRET, uaiCfa: FIXTURE_CFA_UAI },
      formation: { dateDebutFormation: '2025-09-08', dateFinFormation: '2027-07-02', dureeFormation: 1350, rncp: 'RNCP35340', intituleQualification: 'BTS SIO' },
      couts: { coutTotalPedagogieCFA: 16000.5, nombreRepasTotaux: 120, nombreHebergementTotaux: 0, montantPremierEquipement: 300, mentionMobiliteInternationale: false, accompagnementDROM: false },
      mandatEmployeur: true,
      dateSignature: '2025-08-25',
    };
    const pdf = Buffer.from('%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n', 'latin1');
    const res = await t.http.post('/v1/conventions').set('X-API-KEY', h.cfa).send({ ...(asText(convention) as Record<string, Json>), _files: { convention: pdf.toString('base64') } });
    expect(res.status, JSON.stringify(res.body.errors ?? []).slice(0, 500)).toBe(200);
    const leaves = typedLeaves(convention);
    expect((res.body.avertissements as Warning[]).filter((w) => w.code === 'VALEUR_CONVERTIE').map((w) => w.champ).sort()).toEqual([...leaves.keys()].sort());
    const row = await t.db('conventions').where({ numero_interne: res.body.numeroInterneConvention }).first('contenu');
    for (const [pointer, value] of leaves) expect(at(row.contenu, pointer), pointer).toStrictEqual(value);
  });

  it('an invoice whose amounts and quantities are text', async () => {
    const d = await engagedDossier(h, 805);
    const f = facture([{ numeroDossier: d.numeroExterne, numeroEcheance: 1, codificationEcheance: 'A1', natureLigne: 'PEDAGOGIE', montant: 3200, quantite: 1 }], { estCertificatRealisation: false });
    const res = await t.http.post('/v1/factures').set('X-API-KEY', h.cfa).send(jsonBody(asText(f) as Record<string, unknown>));
    expect(res.status, JSON.stringify(res.body.errors ?? []).slice(0, 500)).toBe(200);
    expect(codesAt(res.body.avertissements)).toEqual([
      'VALEUR_CONVERTIE /facture/estCertificatRealisation', 'VALEUR_CONVERTIE /facture/lignes/0/montant', 'VALEUR_CONVERTIE /facture/lignes/0/numeroEcheance',
      'VALEUR_CONVERTIE /facture/lignes/0/quantite', 'VALEUR_CONVERTIE /facture/montantTotal',
    ]);
    const stored = await t.db('factures').where({ numero_interne: res.body.numeroInterneFacture }).first('montant_total_centimes');
    expect(Number(stored.montant_total_centimes)).toBe(320_000);
  });
});

describe('misspelt, misplaced and empty members', () => {
  it('a casing variant is read as the member meant; an unknown member is reported, not stored; the member meant is named', async () => {
    const body = validCerfaPayload(806) as Record<string, unknown> & { cerfa: Record<string, unknown> };
    delete body.cerfa.CERFASignatureProbante;
    body.cerfa.CERFAsignatureProbante = true;
    const maitre2 = { nom: 'Durand', prenom: 'Paul', dateNaissance: '1980-02-03' };
    body.maitre2 = maitre2;
    (body.cerfa.employeur as Record<string, unknown>).champInvente = 'x';
    (body.cerfa.contrat as Record<string, unknown>).typeDerogation = '';
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(body);
    expect(res.status).toBe(200);
    const warnings = res.body.avertissements as Warning[];
    expect(codesAt(warnings.filter((w) => ['CHAMP_INCONNU', 'CHAMP_RENOMME', 'VALEUR_VIDE_IGNOREE'].includes(w.code)))).toEqual([
      'CHAMP_INCONNU /cerfa/employeur/champInvente', 'CHAMP_INCONNU /maitre2', 'CHAMP_RENOMME /cerfa/CERFAsignatureProbante',
      'VALEUR_VIDE_IGNOREE /cerfa/contrat/typeDerogation',
    ].sort());
    expect(warnings.find((w) => w.champ === '/maitre2')?.description).toContain('/cerfa/maitre2');
    const stored = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('cerfa');
    expect(stored.cerfa.CERFASignatureProbante).toBe(true);
    expect(stored.cerfa.CERFAsignatureProbante).toBeUndefined();
    expect(stored.cerfa.employeur.champInvente).toBeUndefined();
  });

  it('an empty optional code is read as absent, with a warning', async () => {
    const body = validCerfaPayload(807);
    (body.cerfa.employeur as Record<string, unknown>).employeurSpecifique = '';
    const res = await t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(body);
    expect(res.status).toBe(200);
    expect(codesAt(res.body.avertissements)).toContain('VALEUR_VIDE_IGNOREE /cerfa/employeur/employeurSpecifique');
    const stored = await t.db('dossiers').where({ numero_interne: res.body.numeroInterne }).first('cerfa');
    expect('employeurSpecifique' in stored.cerfa.employeur).toBe(false);
  });
});

describe('STRICT_INPUT=true (recette)', () => {
  let database: TestDatabase;
  let strict: TestGateway;
  let key: string;
  beforeAll(async () => {
    database = await createTestDatabase();
    strict = await startTestGateway({ STRICT_INPUT: 'true' }, database);
    key = await strict.cfaKey('778899112');
  });
  afterAll(async () => {
    await strict.close();
    await database.drop();
  });

  it('refuses instead of converting, renaming or ignoring', async () => {
    const text = await strict.http.post('/v2/dossiers').set('X-API-KEY', key).send(asText(validCerfaPayload(808)) as object);
    expect(text.status).toBe(400);
    expect(text.body.errors.length).toBeGreaterThan(10);
    const body = validCerfaPayload(809) as Record<string, unknown>;
    body.maitre2 = { nom: 'Durand' };
    (body.cerfa as Record<string, unknown>).CERFAsignatureProbante = true;
    const misspelt = await strict.http.post('/v2/dossiers').set('X-API-KEY', key).send(body);
    expect(misspelt.status).toBe(400);
    expect(misspelt.body.errors.map((e: Warning) => `${e.code} ${e.champ}`)).toEqual(expect.arrayContaining(['CHAMP_INCONNU /maitre2']));
    expect(await strict.http.post('/v2/dossiers').set('X-API-KEY', key).send(validCerfaPayload(810)).then((r) => r.status)).toBe(200);
  });

  it('refuses an invoice codification given as a plain number', async () => {
    await importNpecRows(strict.db, [{ rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' }]);
    const opco = await strict.opcoKey();
    const created = await strict.http.post('/v2/dossiers').set('X-API-KEY', key).send(validCerfaPayload(811));
    for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
      expect((await strict.http.post(`/back-office/v1/dossiers/${created.body.numeroInterne}/transitions`).set('X-API-KEY', opco).send({ vers })).status).toBe(200);
    }
    const ligne = { numeroDossier: created.body.numeroExterne, numeroEcheance: 1, codificationEcheance: '1', natureLigne: 'PEDAGOGIE', montant: 3200, quantite: 1 };
    const res = await strict.http.post('/v1/factures').set('X-API-KEY', key).send(jsonBody(facture([ligne])));
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: Warning) => `${e.code} ${e.champ}`)).toEqual(['CODIFICATION_CONVERTIE /facture/lignes/0/codificationEcheance']);
  });
});
