/** The pré-saisie's platform objects → JSON: members of the register (as a CFA sees them), the CFA profile. */
import type { Adherent } from '../../domain/adherents.js';
import type { ProfilRow } from '../../db/cfa-profils.js';
import type { HistoryRow, PropositionRow } from '../../db/propositions.js';
import type { PropositionRead } from '../../services/propositions.js';

/** Only what a CFA needs to fill the Employeur tab. */
export function adherentView(a: Adherent): Record<string, unknown> {
  return {
    siret: a.siret,
    siren: a.siren,
    nic: a.siret.slice(9),
    raisonSociale: a.raisonSociale,
    adresse: a.adresse,
    codePostal: a.codePostal,
    commune: a.commune,
    naf: a.naf,
    idcc: a.idcc,
    effectif: a.effectif,
  };
}

export function profilView(row: ProfilRow): Record<string, unknown> {
  return { ...row.profil, misAJourLe: row.misAJourLe.toISOString() };
}

/** A proposal's list row, as in the guide: statut, nom, prénom, « Du … au … », entreprise, n° dossier. */
export function propositionLineView(row: PropositionRow): Record<string, unknown> {
  return {
    id: row.numero,
    etat: row.etat,
    nom: row.apprenti_nom,
    prenom: row.apprenti_prenom,
    du: row.date_debut_contrat,
    au: row.date_fin_contrat,
    entreprise: row.entreprise,
    siretEmployeur: row.employeur_siret,
    numeroDossier: row.dossier_numero_externe,
    numeroInterneDossier: row.dossier_numero_interne,
    misAJourLe: new Date(row.mis_a_jour_le).toISOString(),
  };
}

export function propositionView(read: PropositionRead, extras: { remunerationProposee: unknown; synthese: unknown }): Record<string, unknown> {
  const { row } = read;
  return {
    id: row.numero,
    etat: row.etat,
    cerfa: row.cerfa,
    dossier: row.dossier_numero_interne ? { numeroInterne: row.dossier_numero_interne, numeroExterne: row.dossier_numero_externe } : null,
    motifRefus: row.motif_refus,
    creeLe: new Date(row.cree_le).toISOString(),
    misAJourLe: new Date(row.mis_a_jour_le).toISOString(),
    controle: read.controle,
    ...(read.prerempli ? { prerempli: read.prerempli } : {}),
    ...extras,
  };
}

export function propositionHistoryView(rows: HistoryRow[]): Record<string, unknown>[] {
  return rows.map((r) => ({
    evenement: r.evenement,
    etat: r.etat,
    date: new Date(r.le).toISOString(),
    acteur: r.acteur,
    champsModifies: Array.isArray(r.champs) ? r.champs : [],
    commentaire: r.commentaire,
  }));
}
