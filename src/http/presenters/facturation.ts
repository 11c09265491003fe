/** A draft facturation → its JSON view (component `Facturation`): euros at the edge, the draft's own numbers. */
import { centsToEuros } from '../../domain/financing/index.js';
import type { DepositedFacturation, FacturationDetail } from '../../services/facturations.js';

const euros = (cents: string | number): number => centsToEuros(Number(cents));

export function facturationView(d: FacturationDetail): Record<string, unknown> {
  const f = d.facturation;
  return {
    id: f.numero_interne,
    etat: f.etat,
    etape: f.etape,
    nature: f.nature,
    dossiers: d.dossiers.map((x) => ({
      numeroInterne: x.numero_interne,
      numeroExterne: x.numero_externe,
      apprenti: { nom: x.nom, prenom: x.prenom },
      echeancesOuvertes: x.echeancesOuvertes.map((e) => ({
        numeroEcheance: e.numero,
        codification: e.codification,
        reste: centsToEuros(e.resteCents),
        ...(e.quantiteDisponible === undefined ? {} : { quantiteDisponible: e.quantiteDisponible }),
        certificatRequis: e.certificatRequis,
      })),
    })),
    lignes: d.lignes.map((l) => ({
      numeroInterneDossier: l.numero_interne,
      numeroExterneDossier: l.numero_externe,
      numeroEcheance: l.numero_echeance,
      codification: l.codification,
      nature: l.nature,
      quantite: l.quantite,
      montant: euros(l.montant_centimes),
    })),
    nombreDossiers: f.nombre_dossiers,
    montantTotal: euros(f.montant_total_centimes),
    numeroInterneFacture: d.numeroInterneFacture,
    pourDeposer: d.pourDeposer,
    creeeLe: new Date(f.creee_le).toISOString(),
    miseAJourLe: new Date(f.mise_a_jour_le).toISOString(),
    deposeeLe: f.deposee_le ? new Date(f.deposee_le).toISOString() : null,
  };
}

/** The answer to step 3: the deposited draft, the invoice's and its PDF's numbers, the warnings. */
export function facturationDeposeeView({ detail, deposited }: DepositedFacturation): Record<string, unknown> {
  return {
    ...facturationView(detail),
    numeroInterneFacture: deposited.facture.numero_interne,
    numeroInterneDocument: deposited.numeroInterneDocument,
    avertissements: deposited.avertissements,
  };
}
