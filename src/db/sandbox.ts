/**
 * Sandbox mode's rows (docs/decisions/integration-sandbox.md): the mark and clock offset (one row of
 * `sandbox`), the scenarios asked on dossiers and invoices, and the simulator's work lists.
 */
import type { Knex } from 'knex';
import { ETAPES_IGNOREES, SCENARIO_PAR_DEFAUT } from '../domain/sandbox.js';

export type SandboxObjet = 'DOSSIER' | 'FACTURE';

export interface SandboxRow {
  decalage_jours: number;
  marquee_le: Date;
}

/** The sandbox mark, absent when the database was never started in sandbox mode. */
export async function findSandbox(db: Knex): Promise<SandboxRow | undefined> {
  const row = (await db('sandbox').where({ id: 1 }).first('decalage_jours', 'marquee_le')) as SandboxRow | undefined;
  return row ? { decalage_jours: Number(row.decalage_jours), marquee_le: row.marquee_le } : undefined;
}

export async function markSandbox(db: Knex): Promise<void> {
  await db('sandbox').insert({ id: 1 }).onConflict('id').ignore();
}

/** Moves the shared clock `jours` days forward; the new offset. */
export async function addDays(db: Knex, jours: number): Promise<number> {
  const [row] = (await db('sandbox').where({ id: 1 }).increment('decalage_jours', jours).returning('decalage_jours')) as Array<{ decalage_jours: number }>;
  if (!row) throw new Error('sandbox row missing: the database is not marked as a sandbox');
  return Number(row.decalage_jours);
}

/** Whether the database holds any dossier or invoice (one index probe each, whatever the volume). */
export async function holdsBusinessRows(db: Knex): Promise<boolean> {
  const dossier = await db('dossiers').first('id');
  return Boolean(dossier ?? (await db('factures').first('id')));
}

export async function recordScenario(db: Knex, objet: SandboxObjet, objetId: string, scenario: string): Promise<void> {
  await db('sandbox_scenarios').insert({ objet, objet_id: objetId, scenario }).onConflict(['objet', 'objet_id']).ignore();
}

export async function setEtape(db: Knex, objet: SandboxObjet, objetId: string, scenario: string, etape: string): Promise<void> {
  await db('sandbox_scenarios').insert({ objet, objet_id: objetId, scenario, etape }).onConflict(['objet', 'objet_id']).merge(['etape']);
}

/** Sets the étape, keeping the scenario asked (the default one when none was). */
export async function setEtapeOnly(db: Knex, objet: SandboxObjet, objetId: string, etape: string): Promise<void> {
  await db('sandbox_scenarios').insert({ objet, objet_id: objetId, scenario: SCENARIO_PAR_DEFAUT, etape }).onConflict(['objet', 'objet_id']).merge(['etape']);
}

export interface DossierATraiter {
  id: string;
  numero_interne: string;
  etat: string;
  mise_en_conformite: boolean;
  scenario: string | null;
  etape: string | null;
}

/**
 * "Untouched for the delay". Rows are stamped by the database's clock (real time), except those the
 * handlers stamp with the sandbox clock (ahead of real time once it moved): each is judged against
 * its own clock, so that moving the clock forward does not skip the delay of what comes next.
 */
export interface Attente {
  /** Real now − delay. */
  avantReel: Date;
  /** Real now: a later stamp is a sandbox-clock one. */
  maintenantReel: Date;
  /** Sandbox now − delay. */
  avantSandbox: Date;
}

function untouched(q: Knex.QueryBuilder, column: string, a: Attente): void {
  q.where((w) => w.where(column, '<=', a.avantReel)
    .orWhere((x) => x.where(column, '>', a.maintenantReel).where(column, '<=', a.avantSandbox)));
}

/**
 * Dossiers the simulated OPCO has to act on, untouched for the delay (`attente`): transmitted or
 * in instruction (not waiting for a correction), and engaged ones whose scenario ends in a rupture.
 * Oldest first.
 */
export async function dossiersATraiter(db: Knex, attente: Attente, limit: number): Promise<DossierATraiter[]> {
  const rows = (await db('dossiers as d')
    .leftJoin('sandbox_scenarios as s', function join() { this.on('s.objet_id', '=', 'd.id').andOnVal('s.objet', '=', 'DOSSIER'); })
    .where((q) => untouched(q, 'd.mis_a_jour_le', attente))
    // Waiting for the CFA's correction, or given up: not the OPCO's turn.
    .where('d.mise_en_conformite', false)
    .where((q) => q.whereNull('s.etape').orWhereNotIn('s.etape', ETAPES_IGNOREES))
    .where((q) => q.whereIn('d.etat', ['TRANSMIS', 'EN_COURS_INSTRUCTION']).orWhere((r) => r.where('d.etat', 'ENGAGE').where('s.scenario', 'rupture')))
    .orderBy('d.id')
    .limit(limit)
    .select('d.id', 'd.numero_interne', 'd.etat', 'd.mise_en_conformite', 's.scenario', 's.etape')) as DossierATraiter[];
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

export interface FactureATraiter {
  id: string;
  numero_interne: string;
  etat: string;
  montant_total_centimes: number;
  /** The invoice's own scenario, else the one of the first dossier it names. */
  scenario: string | null;
}

/** Invoices to validate or pay, untouched for the delay. Oldest first. */
export async function facturesATraiter(db: Knex, attente: Attente, limit: number): Promise<FactureATraiter[]> {
  const rows = (await db('factures as f')
    .leftJoin('sandbox_scenarios as s', function join() { this.on('s.objet_id', '=', 'f.id').andOnVal('s.objet', '=', 'FACTURE'); })
    .whereIn('f.etat', ['TRANSMIS', 'VALIDEE'])
    .where((q) => untouched(q, 'f.mis_a_jour_le', attente))
    .where((q) => q.whereNull('s.etape').orWhereNotIn('s.etape', ETAPES_IGNOREES))
    .orderBy('f.id')
    .limit(limit)
    .select('f.id', 'f.numero_interne', 'f.etat', 'f.montant_total_centimes', db.raw(`coalesce(s.scenario, (
      select ds.scenario from factures_lignes l join sandbox_scenarios ds on ds.objet = 'DOSSIER' and ds.objet_id = l.dossier_id
      where l.facture_id = f.id order by l.id limit 1)) as scenario`))) as Array<Omit<FactureATraiter, 'montant_total_centimes'> & { montant_total_centimes: string | number }>;
  return rows.map((r) => ({ ...r, id: String(r.id), montant_total_centimes: Number(r.montant_total_centimes) }));
}

/** Refunds the CFA declared (transfer or avoir) at least the delay ago, for the OPCO to receive. Oldest first. */
export async function remboursementsATraiter(db: Knex, attente: Attente, limit: number): Promise<Array<{ id: string; numero_interne: string }>> {
  const rows = (await db('remboursements').where({ etat: 'DECLARE' }).where((q) => untouched(q, 'declare_le', attente))
    .orderBy('id').limit(limit).select('id', 'numero_interne')) as Array<{ id: string; numero_interne: string }>;
  return rows.map((r) => ({ ...r, id: String(r.id) }));
}

/** Locks the row if no other instance holds it and it is still in this state; false otherwise. */
export async function claimRow(trx: Knex.Transaction, table: 'dossiers' | 'factures' | 'remboursements', id: string, etat: string): Promise<boolean> {
  const rows = await trx(table).where({ id, etat }).forUpdate().skipLocked().select('id');
  return rows.length === 1;
}
