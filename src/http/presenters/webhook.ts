/** Webhook rows → JSON (never the secret, except once at creation and rotation). */
import type { LivraisonListItem, LivraisonRow, TentativeRow, WebhookRow } from '../../db/webhooks.js';

const iso = (d: Date | null): string | null => (d ? new Date(d).toISOString() : null);

export function webhookView(row: WebhookRow): Record<string, unknown> {
  return {
    id: String(row.id),
    url: row.url,
    evenements: row.evenements,
    actif: row.actif,
    motifDesactivation: row.motif_desactivation,
    desactiveLe: iso(row.desactive_le),
    dernierSuccesLe: iso(row.dernier_succes_le),
    creeLe: new Date(row.cree_le).toISOString(),
  };
}

/** The endpoint with its signing secret, shown this once. */
export function webhookWithSecretView(row: WebhookRow): Record<string, unknown> {
  return { ...webhookView(row), secret: row.secret };
}

function attemptView(a: TentativeRow): Record<string, unknown> {
  return { tenteeLe: new Date(a.tentee_le).toISOString(), succes: a.succes, codeHttp: a.code_http, dureeMs: a.duree_ms, erreur: a.erreur };
}

export function deliveryView(l: LivraisonRow): Record<string, unknown> {
  return {
    id: String(l.id),
    etat: l.etat,
    tentatives: l.tentatives,
    prochaineTentative: l.etat === 'EN_ATTENTE' ? iso(l.prochaine_tentative) : null,
    creeLe: new Date(l.cree_le).toISOString(),
  };
}

export function deliveryLogItemView(l: LivraisonListItem & { attempts: TentativeRow[] }): Record<string, unknown> {
  return {
    ...deliveryView(l),
    evenement: { id: l.message_id, type: l.type, creeLe: new Date(l.evenement_cree_le).toISOString() },
    historique: l.attempts.map(attemptView),
  };
}
