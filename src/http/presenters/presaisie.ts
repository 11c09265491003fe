/** The pré-saisie's platform objects → JSON: members of the register (as a CFA sees them), the CFA profile. */
import type { Adherent } from '../../domain/adherents.js';
import type { ProfilRow } from '../../db/cfa-profils.js';

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
