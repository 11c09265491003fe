/**
 * The ERP's local store: a JSON file, written whole on every transaction (a temporary file, fsync,
 * rename), so that a change applied and the feed cursor that follows it are saved together or not
 * at all — a crash between the two cannot happen. Good for an example and a few thousand
 * contracts; a real ERP does the same with its own database transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { GatewayErrorItem, Schemas } from '@convergence-gateway/client';

/** A contract the ERP holds, to push once. */
export interface LocalContrat {
  id: string;
  cerfa: Schemas['Cerfa'];
  /** Sent as Idempotency-Key: a retry after a crash gets the first answer back. */
  idempotencyKey: string;
  ajouteLe: string;
  /** Set once the gateway accepted it. */
  numeroInterne?: string;
  numeroExterne?: string;
  /** Refused by the gateway (400): not sent again until corrected. */
  erreurs?: GatewayErrorItem[];
}

export interface LocalDossier {
  numeroInterne: string;
  numeroExterne: string;
  numeroDeca: string | null;
  etat: string;
  dateMiseAJour: string;
}

export interface LocalFacture {
  numeroInterneFacture: string;
  referenceFactureCFA: string;
  etat: string;
  montantCents: number;
  dossiers: string[];
}

export interface LocalReglement {
  idReglement: string;
  referenceVirement: string;
  dateReglement: string;
  montantCents: number;
  factures: Array<{ numeroInterneFacture: string; montantCents: number }>;
}

/** One applied change, in the order applied (what the ERP's users see happening). */
export interface JournalLine {
  n: number;
  objet: 'dossier' | 'facture' | 'reglement';
  id: string;
  etat: string;
  /** What makes this change distinct (the dossier's dateMiseAJour, the invoice's state…). */
  version: string;
}

export interface StoreData {
  contrats: LocalContrat[];
  dossiers: Record<string, LocalDossier>;
  factures: Record<string, LocalFacture>;
  reglements: Record<string, LocalReglement>;
  /** Where each feed resumes: the `depuis` cursors, and how many payments were read (pages in id order). */
  curseurs: { dossiers: string; factures: string; reglementsLus: number };
  /** Ids of the webhooks received lately (a retried delivery is recognised). */
  webhooksRecus: string[];
  journal: JournalLine[];
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** The file's shape, member by member (the records' contents are this program's own writes). */
function isStoreData(x: unknown): x is StoreData {
  if (!isObject(x) || !isObject(x.curseurs)) return false;
  const c = x.curseurs;
  return Array.isArray(x.contrats) && isObject(x.dossiers) && isObject(x.factures) && isObject(x.reglements)
    && Array.isArray(x.webhooksRecus) && Array.isArray(x.journal)
    && typeof c.dossiers === 'string' && typeof c.factures === 'string' && typeof c.reglementsLus === 'number';
}

const CERFA_SECTIONS = ['apprenti', 'maitre1', 'contrat', 'formation', 'organismeFormation'] as const;

/**
 * A CERFA as the ERP's own data gives it: an object with the contract's sections. Only the outline
 * is checked here; the gateway checks every field when the job pushes it, and a refusal is kept on
 * the contract with all its errors.
 */
export function isCerfa(x: unknown): x is Schemas['Cerfa'] {
  return isObject(x) && CERFA_SECTIONS.every((section) => isObject(x[section]));
}

function empty(): StoreData {
  return { contrats: [], dossiers: {}, factures: {}, reglements: {}, curseurs: { dossiers: '0', factures: '0', reglementsLus: 0 }, webhooksRecus: [], journal: [] };
}

export interface StoreOptions {
  /** Called just before a transaction is written (tests simulate a crash there). */
  beforeCommit?: (draft: StoreData) => void;
}

export class JsonStore {
  private data: StoreData;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly file: string, private readonly options: StoreOptions = {}) {
    this.data = fs.existsSync(file) ? this.read() : empty();
  }

  private read(): StoreData {
    // The file is this program's own output; a foreign or damaged file is rejected rather than half-read.
    const parsed: unknown = JSON.parse(fs.readFileSync(this.file, 'utf8'));
    if (!isStoreData(parsed)) throw new Error(`${this.file} n’est pas un magasin erp-sync`);
    return parsed;
  }

  /** A copy of the current state (read only). */
  snapshot(): StoreData {
    return structuredClone(this.data);
  }

  /**
   * Runs `change` on a copy of the state and writes the result atomically; transactions run one
   * after the other. When `change` or the write throws, nothing is kept.
   */
  transaction<T>(change: (draft: StoreData) => T): Promise<T> {
    const run = this.queue.then(() => {
      const draft = structuredClone(this.data);
      const result = change(draft);
      this.options.beforeCommit?.(draft);
      const tmp = `${this.file}.${process.pid}.tmp`;
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      const fd = fs.openSync(tmp, 'w');
      try {
        fs.writeFileSync(fd, JSON.stringify(draft));
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      fs.renameSync(tmp, this.file);
      this.data = draft;
      return result;
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** A contract to push at the next run. */
  addContrat(cerfa: Schemas['Cerfa'], now = new Date()): Promise<LocalContrat> {
    return this.transaction((d) => {
      const contrat: LocalContrat = { id: randomUUID(), cerfa, idempotencyKey: `erp-sync-${randomUUID()}`, ajouteLe: now.toISOString() };
      d.contrats.push(contrat);
      return contrat;
    });
  }
}

/** Appends a change to the journal (inside a transaction). */
export function journal(d: StoreData, line: Omit<JournalLine, 'n'>): void {
  d.journal.push({ n: d.journal.length + 1, ...line });
}
