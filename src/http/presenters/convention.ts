/** A convention deposit → the norm's answer (§5.2). */
import type { ConventionDeposit } from '../../services/conventions.js';

export function conventionDepositView(d: ConventionDeposit): Record<string, unknown> {
  return { numeroInterneConvention: d.numeroInterneConvention, numeroInterneDocument: d.numeroInterneDocument, avertissements: d.avertissements };
}
