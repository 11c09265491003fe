/**
 * The CFA's answer to a mise en conformité: a corrected CERFA for a dossier the OPCO asked it to
 * correct, checked like a new transmission. In one transaction: the previous CERFA is kept
 * (dossiers_versions), the dossier's content is replaced, the request is marked answered, the
 * history names the changed fields (pointers only: the values are personal data) and the audit
 * trail records the write. The state does not move: the OPCO goes on with its instruction.
 */
import type { Knex } from 'knex';
import { recordWrite } from '../db/audit.js';
import { keepCerfaVersion, lockDossier, recordDossierChange } from '../db/dossier-changes.js';
import { contentColumns, findLiveTwin, type DossierContent, type DossierRow, type LiveTwin } from '../db/dossiers.js';
import { isUniqueViolation } from '../db/factures.js';
import { changedLeaves } from '../domain/cerfa/changes.js';
import { refuse, type Refusal } from '../domain/refusal.js';
import type { Violation } from '../domain/violation.js';
import type { CfaActor } from './actor.js';
import { checkedCfaCerfa, contentOf, sameContractRefusal, unknownDossier } from './dossiers.js';

export interface Correction {
  dossier: DossierRow;
  /** Pointers into the CERFA of the leaves that changed (`/apprenti/adresse/commune`). */
  champsModifies: string[];
  avertissements: Violation[];
}

function twinRefusal(twin: LiveTwin): Refusal {
  if (twin.kind === 'same-contract') return sameContractRefusal(twin.numeroInterne);
  const numeroInterne = twin.dossier.numero_interne;
  return refuse.conflict('CERFA_DEJA_TRANSMIS', `Ce CERFA est déjà celui du dossier ${numeroInterne} : un même contenu ne peut pas figurer dans deux dossiers.`, { extensions: { numeroInterne } });
}

/**
 * Replaces the dossier's content and clears the request. A unique index refusing the new content
 * (another live dossier with this CERFA or this contract) is answered like at transmission: the
 * update runs in a savepoint so that the transaction can still tell which dossier is in the way.
 */
async function replaceContent(trx: Knex.Transaction, d: DossierRow, content: DossierContent, acteur: string, champsModifies: string[]): Promise<DossierRow> {
  try {
    return await trx.transaction((savepoint) => recordDossierChange(savepoint, d, { ...contentColumns(content), mise_en_conformite: false, commentaire_etat: null }, {
      evenement: 'CORRECTION', etat: d.etat, acteur, commentaire: `Dossier corrigé par le CFA : ${champsModifies.join(', ')}`,
    }));
  } catch (err) {
    if (!isUniqueViolation(err, 'dossiers_')) throw err;
    const twin = await findLiveTwin(trx, d.cfa_siren, content, d.id);
    throw twin ? twinRefusal(twin) : err;
  }
}

export function correctDossier(db: Knex, cfa: CfaActor, numeroInterne: string, raw: Record<string, unknown>): Promise<Correction> {
  return db.transaction(async (trx): Promise<Correction> => {
    const d = await lockDossier(trx, numeroInterne);
    if (!d || d.cfa_siren !== cfa.siren) throw unknownDossier(numeroInterne);
    if (!d.mise_en_conformite) {
      throw refuse.conflict('MISE_EN_CONFORMITE_NON_DEMANDEE', `L’OPCO n’a demandé aucune correction du dossier ${numeroInterne} : un CERFA corrigé n’est accepté qu’en réponse à une demande de mise en conformité.`);
    }
    // Judged on the day the file first reached the OPCO: answering its request does not make the deposit late.
    const checked = checkedCfaCerfa(raw, cfa, d.recu_le);
    const champsModifies = changedLeaves(d.cerfa, raw);
    if (!champsModifies.length) {
      throw refuse.conflict('CORRECTION_SANS_CHANGEMENT', `Le CERFA envoyé est identique à celui du dossier ${numeroInterne} : rien n’a été corrigé.`);
    }
    await keepCerfaVersion(trx, d, cfa.acteur);
    const dossier = await replaceContent(trx, d, contentOf(raw, checked.cerfa), cfa.acteur, champsModifies);
    await recordWrite(trx, cfa.author, 'DOSSIER_CORRIGE', { type: 'DOSSIER', id: numeroInterne });
    return { dossier, champsModifies, avertissements: checked.avertissements };
  });
}
