/** Benchmarks' bulk load: `rows` minimal dossiers for one CFA in one statement (no CERFA, no history). */
import type { Knex } from 'knex';

export async function insertDossiers(db: Knex, siren: string, rows: number): Promise<void> {
  const t0 = Date.now();
  await db.raw(`insert into dossiers (numero_interne, cfa_siren, etat, origine, cerfa, empreinte_contenu, cle_apprenti, employeur_siret, date_debut_contrat, type_contrat_app)
    select lpad(g::text, 12, '0'), ?, 'TRANSMIS', 'API_CFA', '{}'::jsonb, md5(g::text), md5('a' || g), '55210055400013', '2025-09-01', 11
    from generate_series(1, ?) as g`, [siren, rows]);
  console.log(`${rows} dossiers inserted in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}
