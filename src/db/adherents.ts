/** The register of member companies (`adherents`): upsert by SIRET, lookup, read one. */
import type { Knex } from 'knex';
import { searchKey, type Adherent } from '../domain/adherents.js';

interface AdherentRow {
  siret: string;
  siren: string;
  raison_sociale: string;
  adresse: string | null;
  code_postal: string | null;
  commune: string | null;
  naf: string | null;
  idcc: string | null;
  effectif: number | null;
}

const COLUMNS = ['siret', 'siren', 'raison_sociale', 'adresse', 'code_postal', 'commune', 'naf', 'idcc', 'effectif'] as const;
const BATCH = 500;

function fromRow(row: AdherentRow): Adherent {
  return {
    siret: row.siret,
    siren: row.siren,
    raisonSociale: row.raison_sociale,
    adresse: row.adresse,
    codePostal: row.code_postal,
    commune: row.commune,
    naf: row.naf,
    idcc: row.idcc,
    effectif: row.effectif,
  };
}

/**
 * Inserts or replaces each member by its SIRET (every column, and `importe_le`), in batches, and
 * tells how many were new. Run it in the caller's transaction: the import is all or nothing.
 */
export async function upsertAdherents(trx: Knex.Transaction, adherents: readonly Adherent[]): Promise<{ crees: number; misAJour: number }> {
  let crees = 0;
  for (let i = 0; i < adherents.length; i += BATCH) {
    const rows = adherents.slice(i, i + BATCH).map((a) => ({
      siret: a.siret,
      siren: a.siren,
      raison_sociale: a.raisonSociale,
      raison_sociale_recherche: searchKey(a.raisonSociale),
      adresse: a.adresse,
      code_postal: a.codePostal,
      commune: a.commune,
      naf: a.naf,
      idcc: a.idcc,
      effectif: a.effectif,
      importe_le: trx.fn.now(),
    }));
    // xmax is 0 on a row this statement inserted, not on one it updated.
    const written = (await trx('adherents')
      .insert(rows)
      .onConflict('siret')
      .merge()
      .returning(trx.raw('(xmax = 0) as cree'))) as Array<{ cree: boolean }>;
    crees += written.filter((w) => w.cree).length;
  }
  return { crees, misAJour: adherents.length - crees };
}

/** Members whose name starts with `nameKey` (a searchKey), or of this SIREN / SIRET; by name, at most `limit`. */
export async function searchAdherents(
  db: Knex,
  criteria: { nameKey?: string; siren?: string; siret?: string },
  limit: number,
): Promise<Adherent[]> {
  const { nameKey, siren, siret } = criteria;
  if (!nameKey && !siren && !siret) return [];
  const rows = (await db('adherents')
    .select(...COLUMNS)
    .where((q) => {
      if (nameKey) q.orWhere('raison_sociale_recherche', 'like', `${nameKey.replace(/[\\%_]/g, '\\$&')}%`);
      if (siren) q.orWhere('siren', siren);
      if (siret) q.orWhere('siret', siret);
    })
    .orderBy([{ column: 'raison_sociale_recherche' }, { column: 'siret' }])
    .limit(limit)) as AdherentRow[];
  return rows.map(fromRow);
}

export async function findAdherentBySiret(db: Knex, siret: string): Promise<Adherent | undefined> {
  const row = (await db('adherents').where({ siret }).first(...COLUMNS)) as AdherentRow | undefined;
  return row ? fromRow(row) : undefined;
}
