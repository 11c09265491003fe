/** Payment (règlement) details → the JSON shape of GET /reglements: field names of the norm, euros. */
import type { ReglementDetail } from '../../db/reglements.js';
import { centsToEuros } from '../../domain/financing/index.js';
import { montantsDossiersView } from './facture.js';

export function reglementView(r: ReglementDetail, forOpco: boolean): Record<string, unknown> {
  return {
    idReglement: r.reglement.numero_interne,
    referenceVirement: r.reglement.reference_virement,
    dateReglement: r.reglement.date_reglement,
    montant: centsToEuros(Number(r.reglement.montant_centimes)),
    ...(forOpco ? { cfaSiren: r.reglement.cfa_siren, enregistreLe: new Date(r.reglement.enregistre_le).toISOString() } : {}),
    factures: r.factures.map((f) => ({
      numeroInterneFacture: f.numeroInterneFacture,
      referenceFactureCFA: f.referenceFactureCFA,
      etatFacture: f.etatFacture,
      montant: centsToEuros(f.montantCents),
      dossiers: montantsDossiersView(f.dossiers),
    })),
  };
}
