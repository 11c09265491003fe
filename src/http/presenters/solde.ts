/** A declaration de solde → its JSON shape (euros, ISO date-time). */
import { centsToEuros } from '../../domain/financing/index.js';
import type { DeclaredSolde } from '../../services/soldes.js';

export function declarationSoldeView({ declaration, dossier }: DeclaredSolde): Record<string, unknown> {
  return {
    numeroInterneDeclaration: declaration.numero_interne,
    numeroInterneDossier: dossier.numero_interne,
    etat: declaration.etat,
    montantLibere: centsToEuros(Number(declaration.montant_libere_centimes)),
    dossierEtat: dossier.etat,
    declareeLe: new Date(declaration.declaree_le).toISOString(),
  };
}
