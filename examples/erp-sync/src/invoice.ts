/**
 * The ERP's invoice step: read a dossier's échéancier through the client, invoice what is left on
 * the échéances open today, and deposit the invoice with its PDF (`POST /v1/factures`, JSON with the
 * PDF in base64 under `_files.facture`). The sync job then follows it: TRANSMIS → VALIDEE → REGLE
 * on the invoice feed, and the payment on the règlements pages.
 */
import { ok, type components, type GatewayClient, type Schemas } from '@convergence-gateway/client';

export interface InvoiceOptions {
  numeroInterne: string;
  /** The CFA's bank account (`ibanEmetteur`): the gateway does not hold it. */
  iban: string;
  /** The invoice's PDF (default: a one-page PDF naming the invoice, for the sandbox). */
  pdf?: Buffer;
  /** The CFA's invoice number, unique for the CFA (default: `F-<numeroInterne>-<AAAAMMJJ>-<HHMMSS>`, UTC time). */
  numero?: string;
  /**
   * The PDF also attests the training was delivered (`estCertificatRealisation`): échéances that
   * require a certificate are then invoiced too. Without it they are left out (send the
   * certificate first, POST /v2/certificats).
   */
  certificat?: boolean;
  /** The invoice date (default: today at the gateway — the sandbox's clock when it was moved). */
  aujourdHui?: string;
  /** Sandbox only: what the simulated OPCO does with the invoice (`X-Sandbox-Scenario`). */
  scenario?: InvoiceScenario;
}

export const INVOICE_SCENARIOS = ['engagement', 'facture-rejetee', 'paiement-partiel'] as const satisfies ReadonlyArray<components['parameters']['SandboxScenario']>;
export type InvoiceScenario = (typeof INVOICE_SCENARIOS)[number];
export const isInvoiceScenario = (x: string): x is InvoiceScenario => INVOICE_SCENARIOS.some((s) => s === x);

/** One line of the invoice, as this job writes them (a member of the norm's `lignes`). */
export interface Ligne {
  numeroInterneDossier: string;
  numeroEcheance: number;
  codificationEcheance: string;
  natureLigne: 'PEDAGOGIE' | 'MAJORATION_RQTH';
  montant: number;
}

export interface InvoiceOutcome {
  /** Absent when nothing was left to invoice today. */
  numeroInterneFacture?: string;
  etat?: string;
  numero: string;
  dateEmission: string;
  montantCents: number;
  lignes: Ligne[];
  /** Échéances open today but not invoiced, with why. */
  ecartees: Array<{ codification: string; raison: string }>;
}

const cents = (euros: number): number => Math.round(euros * 100);
const euros = (c: number): number => c / 100;

/** Today's date in Paris (the gateway's calendar), AAAA-MM-JJ. */
export function parisToday(now = new Date()): string {
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Paris' }).format(now);
}

/** What is left to invoice on each échéance open at `today`, split PEDAGOGIE first, then MAJORATION_RQTH. */
export function invoiceLines(numeroInterne: string, echeances: Schemas['EcheanceDossier'][], today: string, certificat: boolean): Pick<InvoiceOutcome, 'lignes' | 'ecartees'> {
  const lignes: Ligne[] = [];
  const ecartees: InvoiceOutcome['ecartees'] = [];
  for (const e of echeances) {
    if (e.statut === 'ANNULEE' || e.dateOuverture > today) continue;
    let reste = cents(e.montantTotal) - cents(e.montantRegle) - cents(e.montantEnCoursInstruction);
    if (reste <= 0) continue;
    if (e.dateLimiteFacturation && e.dateLimiteFacturation < today) {
      ecartees.push({ codification: e.codification, raison: `délai de facturation dépassé (${e.dateLimiteFacturation})` });
      continue;
    }
    if (e.exigeCertificat && !certificat) {
      ecartees.push({ codification: e.codification, raison: 'certificat de réalisation exigé (POST /v2/certificats, ou --certificat si le PDF en tient lieu)' });
      continue;
    }
    // The gateway checks each nature against its own part; the échéancier gives both parts.
    for (const [natureLigne, part] of [['PEDAGOGIE', e.dontMontantPedagogie], ['MAJORATION_RQTH', e.dontMajorationRqth]] as const) {
      const montant = Math.min(reste, cents(part));
      if (montant <= 0) continue;
      lignes.push({ numeroInterneDossier: numeroInterne, numeroEcheance: e.numero, codificationEcheance: e.codification, natureLigne, montant: euros(montant) });
      reste -= montant;
    }
  }
  return { lignes, ecartees };
}

/** Invoices a dossier's open échéances and deposits the invoice; throws a GatewayError when refused. */
export async function invoiceDossier(client: GatewayClient, options: InvoiceOptions): Promise<InvoiceOutcome> {
  const read = await client.GET('/v2/dossiers', { params: { query: { numeroInterne: options.numeroInterne } } });
  const dossier = read.data;
  if (!dossier) throw new Error(`Réponse sans corps (HTTP ${read.response.status})`);
  // A sandbox gateway may run ahead of the real calendar (POST /sandbox/v1/horloge): invoice at its date.
  const today = options.aujourdHui
    ?? (read.response.headers.get('x-sandbox') === 'true' ? (await ok(client.GET('/sandbox/v1/horloge'))).aujourdHui : parisToday());
  // Unique for the CFA: a rejected invoice's amounts may be invoiced again the same day.
  const numero = options.numero ?? `F-${options.numeroInterne}-${today.replaceAll('-', '')}-${new Date().toISOString().slice(11, 19).replaceAll(':', '')}`;
  const { lignes, ecartees } = invoiceLines(options.numeroInterne, dossier.echeances, today, options.certificat ?? false);
  const montantCents = lignes.reduce((s, l) => s + cents(l.montant), 0);
  const outcome: InvoiceOutcome = { numero, dateEmission: today, montantCents, lignes, ecartees };
  if (lignes.length === 0) return outcome;

  const siret = dossier.echeances.find((e) => e.siretCfa)?.siretCfa ?? dossier.cerfa.organismeFormation.siret;
  const deposited = await ok(client.POST('/v1/factures', {
    body: {
      facture: {
        numero, dateEmission: today, montantTotal: euros(montantCents), ibanEmetteur: options.iban, siretEmetteur: siret,
        estCertificatRealisation: options.certificat ?? false, lignes,
      },
      _files: { facture: (options.pdf ?? samplePdf(`Facture ${numero}`)).toString('base64') },
    },
    ...(options.scenario ? { headers: { 'X-Sandbox-Scenario': options.scenario } } : {}),
  }));
  const facture = await ok(client.GET('/v2/factures', { params: { query: { numeroInterneFacture: deposited.numeroInterneFacture } } }));
  return { ...outcome, numeroInterneFacture: deposited.numeroInterneFacture, etat: facture.etatFacture };
}

/** A small valid PDF (one A4 page, one line of text), for trying the sandbox without a real invoice. */
export function samplePdf(text: string): Buffer {
  const safe = text.replace(/[^\x20-\x7e]/g, '?').replace(/[()\\]/g, '\\$&');
  const stream = `BT /F1 14 Tf 72 770 Td (${safe}) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    `<< /Length ${stream.length} >>\nstream\n${stream}\nendstream`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let pdf = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const at = pdf.length;
    pdf += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return at;
  });
  const xref = pdf.length;
  pdf += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  pdf += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(pdf, 'latin1');
}
