/** Invoice rows → the norm's JSON shapes (§5.3, §5.7): field names of the norm, euros. */
import type { FactureRow, MontantDossier } from '../../db/factures.js';
import { centsToEuros } from '../../domain/financing/index.js';
import type { DepositedFacture, FactureDetail } from '../../services/factures.js';
import { historyView } from './dossier.js';

const euros = (cents: string | number): number => centsToEuros(Number(cents));

/** The amount of an invoice (or a payment) on each dossier it names. */
export function montantsDossiersView(dossiers: readonly MontantDossier[]): Record<string, unknown>[] {
  return dossiers.map((d) => ({ numeroInterneDossier: d.numeroInterneDossier, numeroExterneDossier: d.numeroExterneDossier, montant: centsToEuros(d.montantCents) }));
}

/** One invoice as in `GET /v2/factures/etats` (norme §5.7), field for field. */
export function etatFactureView(f: FactureRow, dossiers: readonly MontantDossier[] = []): Record<string, unknown> {
  return {
    numeroInterneFacture: f.numero_interne,
    referenceFactureCFA: f.numero,
    montantFacture: euros(f.montant_total_centimes),
    etatFacture: f.etat,
    referenceVirement: f.reference_virement,
    dateReglement: f.date_reglement,
    commentaire: f.commentaire,
    organismeFormation: { siret: f.siret_emetteur, IBAN: f.iban_emetteur },
    dossiers: montantsDossiersView(dossiers),
  };
}

/** An invoice with its lines (amount invoiced and paid per line) and its history. */
export function factureDetailView({ facture: f, dossiers, lignes, historique }: FactureDetail, forOpco: boolean): Record<string, unknown> {
  return {
    ...etatFactureView(f, dossiers),
    montantRegle: euros(f.montant_regle_centimes),
    dateEmission: f.date_emission,
    estCertificatRealisation: f.est_certificat_realisation,
    corrections: f.corrections,
    recueLe: new Date(f.recue_le).toISOString(),
    dateMiseAJour: new Date(f.mis_a_jour_le).toISOString(),
    ...(forOpco ? { cfaSiren: f.cfa_siren } : {}),
    lignes: lignes.map((l) => ({
      numeroInterneDossier: l.numero_interne,
      numeroExterneDossier: l.numero_externe,
      numeroEcheance: l.numero_echeance,
      codificationEcheance: l.codification,
      natureLigne: l.nature,
      quantite: l.quantite,
      montant: euros(l.montant_centimes),
      montantRegle: euros(l.montant_regle_centimes),
    })),
    historique: historyView(historique, forOpco),
  };
}

/** The answer to a deposit (or a correction); `avertissements` is always there, possibly empty. */
export function factureDeposeeView(d: DepositedFacture): Record<string, unknown> {
  return { numeroInterneFacture: d.facture.numero_interne, numeroInterneDocument: d.numeroInterneDocument, avertissements: d.avertissements };
}
