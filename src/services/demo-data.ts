/**
 * `npm run demo`: a realistic data set for the demo CFA (src/services/demo.ts), pushed through the
 * real use cases — transmission, instruction, engagement (the financing engine computes every
 * échéancier), conformity requests, refusals, cancellations, invoices and their life cycle,
 * payments, ruptures with their refund, dossiers échus and declarations de solde, invoicing
 * drafts — so that every list of the API is populated. Deterministic: the same seed, size and
 * day give the same data set. Contract dates are relative to `now` (whole months back), so the
 * échéances that should be open are open whatever the day. Choices: docs/decisions/integration-demo.md.
 */
import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { countDossiersOfCfa } from '../db/dossiers.js';
import { countEchus, markDossiersEchus } from '../db/echus.js';
import { listKeys } from '../db/keys.js';
import { FIXTURE_CFA_SIRET, prng, sampleCerfaPayload, sampleContrat } from '../domain/cerfa/sample.js';
import { addDays, addMonths, parisDate } from '../domain/dates.js';
import type { ParametresFinancement } from '../domain/financing/index.js';
import { refuse } from '../domain/refusal.js';
import type { Actor, CfaActor } from './actor.js';
import { changeDossierState, setConformityRequest } from './back-office-dossiers.js';
import { moveFacture, receiveRemboursement, recordReglement } from './back-office-factures.js';
import { createDemoKeys, DEMO_CFA, DEMO_OPCO_LIBELLE, demoActor, type DemoKeys } from './demo.js';
import { readDossier, transmitDossier } from './dossiers.js';
import { createFacturation } from './facturations.js';
import { depositFacture } from './factures.js';
import { importNpec } from './npec.js';
import { declareRemboursement, declareRupture } from './remboursements.js';
import { declareSolde } from './soldes.js';

/** What each demo dossier becomes. */
export const DEMO_PATHS = [
  'transmis', 'instruction', 'mise-en-conformite', 'refuse', 'annule', 'engage', 'facture-transmise',
  'facture-a-corriger', 'facture-validee', 'facture-rejetee', 'facture-reglee-partiellement', 'facture-reglee',
  'rupture', 'echu', 'solde',
] as const;
export type DemoPath = (typeof DEMO_PATHS)[number];

/** Weights of the paths beyond the first dossier of each (a few hundred dossiers look like a CFA's year). */
const WEIGHTS: Readonly<Record<DemoPath, number>> = {
  transmis: 12, instruction: 8, 'mise-en-conformite': 5, refuse: 5, annule: 3, engage: 15, 'facture-transmise': 8,
  'facture-a-corriger': 5, 'facture-validee': 6, 'facture-rejetee': 4, 'facture-reglee-partiellement': 5, 'facture-reglee': 12,
  rupture: 4, echu: 5, solde: 3,
};

/** How many months before the current month each path's contracts start (inclusive range). */
const MONTHS_BEFORE: Readonly<Record<DemoPath, readonly [number, number]>> = {
  transmis: [0, 2], instruction: [0, 2], 'mise-en-conformite': [0, 2], refuse: [0, 3], annule: [0, 3], engage: [0, 10],
  'facture-transmise': [1, 12], 'facture-a-corriger': [1, 12], 'facture-validee': [1, 12], 'facture-rejetee': [1, 12],
  'facture-reglee-partiellement': [1, 12], 'facture-reglee': [1, 14], rupture: [2, 8], echu: [27, 34], solde: [27, 34],
};

export const DEMO_DEFAULT_DOSSIERS = 300;
/** Sample seeds give distinct apprentices up to 600. */
export const DEMO_MAX_DOSSIERS = 600;

export interface DemoRequest {
  dossiers: number;
  /** Seed of the data set (dates, paths). */
  seed: number;
  now: Date;
  parametres: ParametresFinancement;
}

export interface DemoReport {
  /** Created by this run when the database had no demo CFA key (shown once). */
  keys: DemoKeys | undefined;
  paths: Record<DemoPath, number>;
  factures: number;
  reglements: number;
  remboursements: number;
  facturations: number;
  echus: number;
}


/** First paths of every data set: each path once, and three ruptures so that refunds show in their three states. */
const FIRST_PATHS: readonly DemoPath[] = [...DEMO_PATHS, 'rupture', 'rupture'];
/** Smallest data set that shows every state. */
export const DEMO_SMALLEST_COMPLETE = FIRST_PATHS.length;

/** The path of each dossier: the FIRST_PATHS paths first (so that a small set still shows every state), then by weight. */
export function demoPlan(count: number, seed: number): DemoPath[] {
  const random = prng(seed * 104_729 + 7);
  const total = DEMO_PATHS.reduce((s, p) => s + WEIGHTS[p], 0);
  const plan: DemoPath[] = [];
  for (let i = 0; i < count; i++) {
    const first = FIRST_PATHS[i];
    if (first) {
      plan.push(first);
      continue;
    }
    let draw = random() * total;
    const chosen = DEMO_PATHS.find((p) => (draw -= WEIGHTS[p]) < 0) ?? 'engage';
    plan.push(chosen);
  }
  return plan;
}

/** A small, valid PDF naming the invoice (distinct content per invoice). */
function pdfOf(numero: string): Buffer {
  return Buffer.from(`%PDF-1.4\n% Facture de démonstration ${numero}\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n`, 'latin1');
}

const IBAN_DEMO = 'FR7630006000011234567890189';

/** The first live key of a role (and SIREN) among the database's keys. */
async function keyId(db: Knex, role: 'cfa' | 'opco', siren?: string): Promise<string | undefined> {
  const keys = await listKeys(db);
  return keys.find((k) => k.role === role && !k.revoquee_le && (siren === undefined || k.siren === siren) && (role === 'cfa' || k.libelle === DEMO_OPCO_LIBELLE))?.id
    ?? keys.find((k) => k.role === role && !k.revoquee_le && (siren === undefined || k.siren === siren))?.id;
}

/**
 * Fills the database for the demo CFA, each step through its use case and in its transaction (not
 * one transaction for all: the read use cases query in parallel, which a single connection cannot).
 * Refused (409) when the demo CFA already has dossiers: run it on a fresh database — also after a
 * failed run. Creates the demo keys first when there are none (returned, shown once).
 */
export async function fillDemo(db: Knex, request: DemoRequest): Promise<DemoReport> {
  const { now, parametres } = request;
  if (!Number.isInteger(request.dossiers) || request.dossiers < 1 || request.dossiers > DEMO_MAX_DOSSIERS) {
    throw refuse.invalid([{ code: 'NOMBRE_DOSSIERS_INVALIDE', description: `Le nombre de dossiers doit être un entier de 1 à ${DEMO_MAX_DOSSIERS}.`, champ: '/dossiers', section: 'requete' }]);
  }
  if (await countDossiersOfCfa(db, DEMO_CFA.siren) > 0) {
    throw refuse.conflict('DEMO_DEJA_REMPLIE', `Le CFA de démonstration (SIREN ${DEMO_CFA.siren}) a déjà des dossiers : le jeu de démonstration se charge dans une base neuve.`);
  }
  let keys: DemoKeys | undefined;
  if (!(await keyId(db, 'cfa', DEMO_CFA.siren)) || !(await keyId(db, 'opco'))) keys = await createDemoKeys(db);
  const system = demoActor();
  const cfaKeyId = (await keyId(db, 'cfa', DEMO_CFA.siren)) ?? '';
  const opcoKeyId = (await keyId(db, 'opco')) ?? '';
  // As if each had called the API with its demo key (audit trail, histories).
  const cfa: CfaActor = {
    author: { ...system.author, cle_id: cfaKeyId, siren: DEMO_CFA.siren, editeur: 'Démonstration', logiciel: 'demo', version: '1' },
    acteur: `cfa:${DEMO_CFA.siren}`,
    keyId: cfaKeyId,
    siren: DEMO_CFA.siren,
    editor: { editeur: 'Démonstration', logiciel: 'demo', version: '1' },
  };
  const opco: Actor = { author: { ...system.author, cle_id: opcoKeyId }, acteur: `opco:${DEMO_OPCO_LIBELLE}`, keyId: opcoKeyId };

  // The NPEC of the sample contract's certification (RNCP35340 × IDCC 1486), since well before the oldest contract.
  await importNpec(db, opco, 'rncp,idcc,npec,date_effet\nRNCP35340,1486,8000.00,2020-01-01\n');

  const today = parisDate(now);
  const firstOfMonth = `${today.slice(0, 8)}01`;
  const random = prng(request.seed * 15_485_863 + 3);
  const plan = demoPlan(request.dossiers, request.seed);
  const report: DemoReport = {
    keys, paths: Object.fromEntries(DEMO_PATHS.map((p) => [p, 0])) as Record<DemoPath, number>,
    factures: 0, reglements: 0, remboursements: 0, facturations: 0, echus: 0,
  };
  const toInvoice: string[] = [];
  const toClose: string[] = [];
  const remboursements: string[] = [];
  const move = (numero: string, vers: string, commentaire?: string) =>
    changeDossierState(db, opco, numero, { vers, ...(commentaire ? { commentaire } : {}) }, parametres);

  for (const [i, path] of plan.entries()) {
    const [from, to] = MONTHS_BEFORE[path];
    const debut = addMonths(firstOfMonth, -(from + Math.floor(random() * (to - from + 1))));
    const contrat = sampleContrat(debut);
    // Received a few days after its conclusion, never after today.
    const recu = addDays(contrat.dateConclusion, 1 + Math.floor(random() * 5));
    const receivedAt = new Date(`${recu < today ? recu : today}T10:00:00Z`);
    const sampleSeed = (request.seed - 1) * DEMO_MAX_DOSSIERS + i + 1;
    const { dossier } = await transmitDossier(db, cfa, sampleCerfaPayload(sampleSeed, contrat).cerfa, receivedAt);
    const numero = dossier.numero_interne;
    report.paths[path] += 1;
    if (path === 'transmis') continue;
    if (path === 'annule') {
      await move(numero, 'ANNULE', 'Contrat non signé par l’employeur : dossier annulé à la demande du CFA.');
      continue;
    }
    await move(numero, 'EN_COURS_INSTRUCTION');
    if (path === 'instruction') continue;
    if (path === 'mise-en-conformite') {
      await setConformityRequest(db, opco, numero, 'Pièce manquante : joignez la convention de formation signée.');
      continue;
    }
    if (path === 'refuse') {
      await move(numero, 'REFUSE', 'Refusé : la certification visée n’est pas éligible au financement de l’OPCO.');
      continue;
    }
    await move(numero, 'ENGAGE');
    if (path === 'engage') {
      toInvoice.push(numero);
      continue;
    }
    if (path === 'echu') continue;
    if (path === 'solde') {
      toClose.push(numero); // declared once the échus are marked, below
      continue;
    }
    // Invoice the first échéance (opened at the contract's start) in full.
    const { financing } = await readDossier(db, cfa, numero);
    const a1 = financing?.echeances.find((e) => e.numero === 1);
    if (!a1) continue;
    const montant = Number(a1.montant_total_centimes) / 100;
    const numeroFacture = `DEMO-${request.seed}-${String(i + 1).padStart(4, '0')}`;
    const contenu = {
      numero: numeroFacture, dateEmission: today, montantTotal: montant, ibanEmetteur: IBAN_DEMO, siretEmetteur: FIXTURE_CFA_SIRET,
      estCertificatRealisation: false,
      lignes: [{ numeroInterneDossier: numero, numeroEcheance: 1, natureLigne: 'PEDAGOGIE', montant, quantite: 1 }],
    };
    const pdf = pdfOf(numeroFacture);
    const { facture } = await depositFacture(db, cfa, contenu, () => ({
      nomFichier: `${numeroFacture}.pdf`, contenu: pdf, typeMime: 'application/pdf', taille: pdf.length, sha256: createHash('sha256').update(pdf).digest('hex'),
    }), now);
    report.factures += 1;
    const f = facture.numero_interne;
    if (path === 'facture-transmise') continue;
    if (path === 'facture-a-corriger') {
      await moveFacture(db, opco, f, { vers: 'EN_ATTENTE_MISE_EN_CONFORMITE', commentaire: 'Le RIB joint ne correspond pas à l’IBAN indiqué.' });
      continue;
    }
    if (path === 'facture-rejetee') {
      await moveFacture(db, opco, f, { vers: 'REJETEE', commentaire: 'Facture en double d’une facture déjà réglée.' });
      continue;
    }
    await moveFacture(db, opco, f, { vers: 'VALIDEE' });
    if (path === 'facture-validee') continue;
    const partial = path === 'facture-reglee-partiellement';
    await recordReglement(db, opco, {
      referenceVirement: `VIR-${numeroFacture}`, dateReglement: today,
      lignes: [{ numeroInterneFacture: f, montant: partial ? Math.floor(montant * 50) / 100 : montant }],
    });
    report.reglements += 1;
    if (path === 'rupture') {
      // Paid the first advance, then broken during the trial period: the overpayment becomes a refund.
      const rupture = await declareRupture(db, cfa, {
        numeroInterne: numero, dateRupture: addDays(debut, 30), motif: 'PERIODE_PROBATOIRE', initiative: 'EMPLOYEUR',
        commentaire: 'Rupture pendant la période d’essai.',
      }, parametres);
      if (rupture.remboursement) {
        report.remboursements += 1;
        remboursements.push(rupture.remboursement.numero_interne);
      }
    }
  }

  // Refunds: the first stays to settle, the second is declared by the CFA, the third received by the OPCO.
  for (const [k, r] of remboursements.entries()) {
    if (k % 3 === 0) continue;
    await declareRemboursement(db, cfa, r, { mode: 'VIREMENT' });
    if (k % 3 === 2) await receiveRemboursement(db, opco, r, 'Virement reçu.');
  }

  // Dossiers échus (the daily job's statement), then the declarations de solde of the `solde` path.
  await markDossiersEchus(db, today);
  for (const numero of toClose) {
    await declareSolde(db, cfa, { numeroInterne: numero, commentaire: 'Formation terminée : plus rien à facturer.' });
  }
  report.echus = await countEchus(db, DEMO_CFA.siren);

  // Two invoicing drafts (« Facturation à l'OPCO », step 1) on engaged dossiers not yet invoiced.
  for (const numero of toInvoice.slice(0, 2)) {
    await createFacturation(db, cfa, { nature: 'COUT_PEDAGOGIQUE', dossiers: [numero] }, now);
    report.facturations += 1;
  }
  return report;
}
