/** Refunds (remboursements) and the rupture that causes them → JSON shapes: field names of the norm, euros. */
import type { RemboursementListItem } from '../../db/remboursements.js';
import { centsToEuros } from '../../domain/financing/index.js';
import type { DeclaredRupture } from '../../services/remboursements.js';

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function remboursementView(r: RemboursementListItem, forOpco: boolean): Record<string, unknown> {
  return {
    idRemboursement: r.numero_interne,
    numeroInterneDossier: r.dossier_numero_interne,
    numeroExterneDossier: r.numero_externe,
    montant: centsToEuros(Number(r.montant_centimes)),
    cause: r.cause,
    etat: r.etat,
    mode: r.mode,
    referenceAvoir: r.reference_avoir,
    commentaire: r.commentaire,
    dateCreation: iso(r.cree_le),
    dateDeclaration: iso(r.declare_le),
    dateReception: iso(r.recu_le),
    ...(forOpco ? { cfaSiren: r.cfa_siren, acteurReception: r.acteur_reception } : {}),
  };
}

/** The answer to a rupture: the dossier's new state, its recomputed engagement and the refund due, if any. */
export function ruptureView(r: DeclaredRupture): Record<string, unknown> {
  return {
    numeroInterne: r.dossier.numero_interne,
    numeroExterne: r.dossier.numero_externe,
    etat: r.dossier.etat,
    dateRupture: r.dateRupture,
    motif: r.motif,
    initiative: r.initiative,
    engagement: r.engagement ? centsToEuros(r.engagement.engagementCents) : null,
    tropPercu: centsToEuros(r.engagement?.tropPercuCents ?? 0),
    remboursement: r.remboursement ? remboursementView(r.remboursement, false) : null,
  };
}
