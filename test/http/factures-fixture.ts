/**
 * Shared set-up of the invoicing HTTP tests: a gateway with the fixture's NPEC rows, engaged
 * dossiers (optionally with a convention's frais annexes), invoice bodies, and a ledger read
 * straight from the database to check money conservation.
 *
 * The fixture contract (2025-09-01 → 2027-08-31, level 5, NPEC 8 000 €, concluded 2025-08-20)
 * has the échéances A1 3 200 € (opens 2025-09-01), A2 2 400 € (2026-03-01), A3 1 600 €
 * (2026-06-01), A4 800 € (2026-09-01), A5 3 200 € (2026-09-01), A6 2 400 € (2027-03-01),
 * A7 1 600 € (2027-06-01), A8 800 € (SOLDE, 2027-08-31, to invoice by 2027-12-31).
 */
import { expect } from 'vitest';
import { importNpecRows } from '../../src/db/financing.js';
import { newNumeroInterne } from '../../src/db/numeros.js';
import { FIXTURE_CFA_SIREN, FIXTURE_CFA_SIRET, FIXTURE_EMPLOYEUR_SIRET, validCerfaPayload, withLuhnKey } from '../fixtures/cerfa.js';
import { startTestGateway, type TestDatabase, type TestGateway } from '../helpers/gateway.js';

export const IBAN = 'FR7630006000011234567890189';
export const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');
export const OTHER_SIREN = withLuhnKey('12345678');
export { FIXTURE_CFA_SIRET, FIXTURE_EMPLOYEUR_SIRET };

export interface Harness {
  t: TestGateway;
  cfa: string;
  other: string;
  opco: string;
}

/** On `database` when given (kept open by `t.close()`), else on a fresh one of its own. */
export async function startInvoicing(env: Record<string, string> = {}, database?: TestDatabase): Promise<Harness> {
  const t = await startTestGateway(env, database);
  const cfa = await t.cfaKey(FIXTURE_CFA_SIREN);
  const other = await t.cfaKey(OTHER_SIREN);
  const opco = await t.opcoKey();
  await importNpecRows(t.db, [
    { rncp: '35340', idcc: '1486', npecCents: 800_000, dateEffet: '2024-07-15' },
    { rncp: '35340', idcc: '9999', npecCents: 700_000, dateEffet: '2024-07-15' },
  ]);
  return { t, cfa, other, opco };
}

export interface Engaged {
  id: string;
  numeroInterne: string;
  numeroExterne: string;
}

/** A dossier moved to ENGAGE by the back office; `couts` is stored as its convention's costs first. */
export async function engagedDossier(h: Harness, seed: number, couts?: Record<string, unknown>): Promise<Engaged> {
  const created = await h.t.http.post('/v2/dossiers').set('X-API-KEY', h.cfa).send(validCerfaPayload(seed));
  expect(created.status).toBe(200);
  const numeroInterne = created.body.numeroInterne as string;
  const row = (await h.t.db('dossiers').where({ numero_interne: numeroInterne }).first('id')) as { id: string };
  if (couts) {
    await h.t.db('conventions').insert({ numero_interne: newNumeroInterne(), dossier_id: row.id, cfa_siren: FIXTURE_CFA_SIREN, contenu: JSON.stringify({ couts }) });
  }
  for (const vers of ['EN_COURS_INSTRUCTION', 'ENGAGE']) {
    const moved = await h.t.http.post(`/back-office/v1/dossiers/${numeroInterne}/transitions`).set('X-API-KEY', h.opco).send({ vers });
    expect(moved.status).toBe(200);
  }
  return { id: String(row.id), numeroInterne, numeroExterne: created.body.numeroExterne as string };
}

export interface Ligne {
  numeroDossier?: string;
  numeroInterneDossier?: string;
  numeroEcheance: number | string;
  codificationEcheance?: string;
  natureLigne: string;
  montant: number | string;
  quantite?: number;
}

let counter = 0;

/** A `facture` object; montantTotal is Σ lines unless given. */
export function facture(lignes: Ligne[], partial: Record<string, unknown> = {}): Record<string, unknown> {
  counter += 1;
  const total = lignes.reduce((s, l) => s + Math.round(Number(l.montant) * 100), 0) / 100;
  return {
    numero: `FAC-${Date.now().toString(36)}-${counter}`,
    dateEmission: '2026-10-01',
    montantTotal: total,
    ibanEmetteur: IBAN,
    siretEmetteur: FIXTURE_CFA_SIRET,
    estCertificatRealisation: false,
    lignes,
    ...partial,
  };
}

export function jsonBody(f: Record<string, unknown>, pdf: Buffer = PDF): Record<string, unknown> {
  return { facture: f, _files: { facture: pdf.toString('base64') } };
}

export function postFacture(h: Harness, f: Record<string, unknown>, key = h.cfa) {
  return h.t.http.post('/v1/factures').set('X-API-KEY', key).send(jsonBody(f));
}

export async function depositInvoice(h: Harness, f: Record<string, unknown>): Promise<string> {
  const res = await postFacture(h, f);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.numeroInterneFacture as string;
}

export function transition(h: Harness, numero: string, body: Record<string, unknown>) {
  return h.t.http.post(`/back-office/v1/factures/${numero}/transitions`).set('X-API-KEY', h.opco).send(body);
}

export function payInvoices(h: Harness, body: Record<string, unknown>) {
  return h.t.http.post('/back-office/v1/reglements').set('X-API-KEY', h.opco).send(body);
}

export interface Ledger {
  engagementCents: number;
  tropPercuCents: number;
  totalCents: number;
  regleCents: number;
  enCoursCents: number;
  resteCents: number;
  parEcheance: Array<{ numero: number; totalCents: number; regleCents: number; enCoursCents: number }>;
}

/** The dossier's money as stored, and the invariants every step must keep. */
export async function ledger(h: Harness, dossierId: string): Promise<Ledger> {
  const db = h.t.db;
  const engagement = (await db('engagements').where({ dossier_id: dossierId }).first('engagement_centimes', 'trop_percu_centimes')) as { engagement_centimes: string; trop_percu_centimes: string };
  const echeances = (await db('echeances').where({ dossier_id: dossierId }).orderBy('numero')) as Array<{
    numero: number; montant_total_centimes: string; montant_regle_centimes: string; montant_en_cours_centimes: string;
  }>;
  const parEcheance = echeances.map((e) => ({
    numero: e.numero, totalCents: Number(e.montant_total_centimes), regleCents: Number(e.montant_regle_centimes), enCoursCents: Number(e.montant_en_cours_centimes),
  }));
  // The échéance columns are exactly what the live invoice lines say.
  const lignes = (await db('factures_lignes as l').join('factures as f', 'f.id', 'l.facture_id').where('l.dossier_id', dossierId).whereNot('f.etat', 'REJETEE')
    .whereIn('l.nature', ['PEDAGOGIE', 'MAJORATION_RQTH']).select('l.numero_echeance', 'l.montant_centimes', 'l.montant_regle_centimes')) as Array<{
    numero_echeance: number; montant_centimes: string; montant_regle_centimes: string;
  }>;
  for (const e of parEcheance) {
    const sur = lignes.filter((l) => l.numero_echeance === e.numero);
    expect(e.regleCents, `réglé A${e.numero}`).toBe(sur.reduce((s, l) => s + Number(l.montant_regle_centimes), 0));
    expect(e.enCoursCents, `en cours A${e.numero}`).toBe(sur.reduce((s, l) => s + Number(l.montant_centimes) - Number(l.montant_regle_centimes), 0));
  }
  const sum = (f: (e: (typeof parEcheance)[number]) => number): number => parEcheance.reduce((s, e) => s + f(e), 0);
  return {
    engagementCents: Number(engagement.engagement_centimes),
    tropPercuCents: Number(engagement.trop_percu_centimes),
    totalCents: sum((e) => e.totalCents),
    regleCents: sum((e) => e.regleCents),
    enCoursCents: sum((e) => e.enCoursCents),
    resteCents: sum((e) => Math.max(0, e.totalCents - e.regleCents - e.enCoursCents)),
    parEcheance,
  };
}

/** Σ paid + Σ pending + Σ remaining = engagement (before any rupture). */
export async function expectConservation(h: Harness, dossierId: string): Promise<Ledger> {
  const l = await ledger(h, dossierId);
  expect(l.totalCents).toBe(l.engagementCents);
  expect(l.regleCents + l.enCoursCents + l.resteCents).toBe(l.engagementCents);
  return l;
}
