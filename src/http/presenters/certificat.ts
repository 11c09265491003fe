/** Certificat de réalisation → the answer of POST /certificats. */
import type { DepositedCertificat } from '../../services/factures.js';

export function certificatDeposeView(c: DepositedCertificat): Record<string, unknown> {
  return { numeroInterneCertificat: c.numeroInterneCertificat, numeroInterneDocument: c.numeroInterneDocument };
}
