/**
 * Dossiers échus (src/domain/invoicing/echus.ts): the month arithmetic of "ended at least 2 months
 * ago", each condition and each non-condition; and what a declaration de solde releases
 * (src/domain/invoicing/liberation.ts): échéances and envelopes cut down to what is invoiced.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  certificatManquant, conditionsEchu, echuLe, finPeriodeFacturation, periodeTerminee, planRelease, releaseEcheance, releaseFrais, resteAFacturer,
  type DossierPourEchu, type EcheancePourEchu,
} from '../../src/domain/invoicing/index.js';

function echeance(numero: number, partial: Partial<EcheancePourEchu> = {}): EcheancePourEchu {
  return {
    numero,
    statut: 'PREVUE',
    dateFin: ['2026-02-28', '2026-05-31', '2026-08-31', '2026-09-30'][numero - 1] ?? '2026-09-30',
    dateLimiteFacturation: numero === 4 ? '2027-01-30' : null,
    exigeCertificat: numero !== 1,
    montantTotalCents: 100_000,
    montantRegleCents: 100_000,
    montantEnCoursCents: 0,
    ...partial,
  };
}

/** A dossier engaged until 2026-09-30, everything paid, the final certificat posted: not échu. */
function dossier(partial: Partial<DossierPourEchu> = {}): DossierPourEchu {
  return {
    etat: 'ENGAGE',
    dateRupture: null,
    echeances: [1, 2, 3, 4].map((n) => echeance(n)),
    factureEnTraitement: false,
    echeancesCertifiees: [4],
    certificatFinal: false,
    soldeDeclare: false,
    ...partial,
  };
}

describe('the end of the billing period plus two months', () => {
  it('adds calendar months, clamped to the end of the month', () => {
    expect(echuLe('2026-09-30')).toBe('2026-11-30');
    expect(echuLe('2026-08-31')).toBe('2026-10-31');
    expect(echuLe('2026-12-31')).toBe('2027-02-28');
    expect(echuLe('2027-12-31')).toBe('2028-02-29');
    expect(echuLe('2026-10-15')).toBe('2026-12-15');
  });

  it('the period ends with the last échéance not cancelled, or at the rupture date', () => {
    const annulee = echeance(4, { statut: 'ANNULEE', dateFin: '2027-08-31' });
    expect(finPeriodeFacturation({ dateRupture: null, echeances: [echeance(1), echeance(3), annulee] })).toBe('2026-08-31');
    expect(finPeriodeFacturation({ dateRupture: '2026-04-10', echeances: [echeance(1), echeance(2, { statut: 'PARTIELLE' })] })).toBe('2026-04-10');
    expect(finPeriodeFacturation({ dateRupture: null, echeances: [] })).toBeUndefined();
    expect(periodeTerminee('2026-09-30', '2026-09-30')).toBe(false);
    expect(periodeTerminee('2026-09-30', '2026-10-01')).toBe(true);
  });
});

describe('échu conditions', () => {
  const reste = dossier({ echeances: [1, 2, 3, 4].map((n) => echeance(n, n === 4 ? { montantRegleCents: 40_000 } : {})) });

  it('(1) the period ended at least two months ago: échu from end + 2 months, not the day before', () => {
    expect(conditionsEchu(reste, '2026-11-29')).toBeUndefined();
    expect(conditionsEchu(reste, '2026-11-30')).toEqual({ finPeriode: '2026-09-30', resteAFacturerCents: 60_000, certificatManquant: false });
  });

  it('(2) an invoice being processed keeps the dossier off the list', () => {
    expect(conditionsEchu({ ...reste, factureEnTraitement: true }, '2027-01-15')).toBeUndefined();
  });

  it('(3) something left to invoice and/or the certificat missing; neither: not échu', () => {
    expect(conditionsEchu(dossier(), '2027-01-15')).toBeUndefined();
    expect(conditionsEchu(dossier({ echeancesCertifiees: [] }), '2027-01-15')).toEqual({ finPeriode: '2026-09-30', resteAFacturerCents: 0, certificatManquant: true });
    expect(conditionsEchu({ ...reste, echeancesCertifiees: [] }, '2027-01-15')).toMatchObject({ resteAFacturerCents: 60_000, certificatManquant: true });
  });

  it('states other than ENGAGE and RUPTURE, and a declared solde, are never échus', () => {
    for (const etat of ['TRANSMIS', 'EN_COURS_INSTRUCTION', 'REFUSE', 'ANNULE', 'SOLDE']) expect(conditionsEchu({ ...reste, etat }, '2027-01-15')).toBeUndefined();
    expect(conditionsEchu({ ...reste, soldeDeclare: true }, '2027-01-15')).toBeUndefined();
    expect(conditionsEchu({ ...reste, etat: 'RUPTURE', dateRupture: '2026-09-30' }, '2027-01-15')).toBeDefined();
  });

  it('what remains to invoice skips cancelled échéances, prescribed balances and overpaid échéances', () => {
    const echeances = [
      echeance(1, { montantRegleCents: 130_000 }), // overpaid after a rupture: 0, not −30 000
      echeance(2, { montantRegleCents: 0, montantEnCoursCents: 25_000 }), // 75 000 left
      echeance(3, { statut: 'ANNULEE', montantTotalCents: 0, montantRegleCents: 0 }),
      echeance(4, { montantRegleCents: 0 }), // deadline 2027-01-30
    ];
    expect(resteAFacturer(echeances, '2027-01-30')).toBe(175_000);
    expect(resteAFacturer(echeances, '2027-01-31')).toBe(75_000);
  });

  it('the certificat: the last échéance not cancelled, any Final certificat; an advance needs none', () => {
    const rompu = [echeance(1), echeance(2, { statut: 'PARTIELLE' }), echeance(3, { statut: 'ANNULEE' }), echeance(4, { statut: 'ANNULEE' })];
    expect(certificatManquant({ echeances: rompu, echeancesCertifiees: [4], certificatFinal: false })).toBe(true);
    expect(certificatManquant({ echeances: rompu, echeancesCertifiees: [2], certificatFinal: false })).toBe(false);
    expect(certificatManquant({ echeances: rompu, echeancesCertifiees: [], certificatFinal: true })).toBe(false);
    expect(certificatManquant({ echeances: [echeance(1)], echeancesCertifiees: [], certificatFinal: false })).toBe(false);
  });
});

describe('what a declaration de solde releases', () => {
  it('an échéance keeps what is paid and en cours; its parts go down to what is invoiced of each nature', () => {
    const e = {
      numero: 2, montantTotalCents: 100_000, dontPedagogieCents: 90_000, dontRqthCents: 10_000,
      montantRegleCents: 50_000, montantEnCoursCents: 5_000, facturePedagogieCents: 50_000, factureRqthCents: 5_000,
    };
    expect(releaseEcheance(e)).toEqual({ numero: 2, montantTotalCents: 55_000, dontPedagogieCents: 50_000, dontRqthCents: 5_000, libereCents: 45_000 });
    // Fully invoiced, or overpaid after a rupture: nothing released, nothing raised.
    expect(releaseEcheance({ ...e, montantRegleCents: 100_000, montantEnCoursCents: 0 }).libereCents).toBe(0);
    expect(releaseEcheance({ ...e, montantTotalCents: 0, dontPedagogieCents: 0, dontRqthCents: 0 })).toMatchObject({ montantTotalCents: 0, libereCents: 0 });
  });

  it('an envelope keeps its live lines, amount and quantity', () => {
    expect(releaseFrais({ nature: 'RESTAURATION', quantite: 100, montantTotalCents: 30_000, factureCents: 6_000, quantiteFacturee: 20 }))
      .toEqual({ nature: 'RESTAURATION', quantite: 20, montantTotalCents: 6_000, libereCents: 24_000 });
    expect(releaseFrais({ nature: 'PREMIEREQUIPEMENT', quantite: 1, montantTotalCents: 30_000, factureCents: 0, quantiteFacturee: 0 }).libereCents).toBe(30_000);
  });

  it('property: total − released = invoiced, parts add up, never below what each nature holds, never raised', () => {
    const arb = fc.record({ p: fc.nat(500_000), r: fc.nat(50_000), fp: fc.nat(500_000), fr: fc.nat(50_000), paidShare: fc.nat(100) }).map(({ p, r, fp, fr, paidShare }) => {
      const facturePedagogieCents = Math.min(p, fp);
      const factureRqthCents = Math.min(r, fr);
      const invoiced = facturePedagogieCents + factureRqthCents;
      const regle = Math.floor((invoiced * paidShare) / 100);
      return {
        numero: 1, montantTotalCents: p + r, dontPedagogieCents: p, dontRqthCents: r,
        montantRegleCents: regle, montantEnCoursCents: invoiced - regle, facturePedagogieCents, factureRqthCents,
      };
    });
    fc.assert(fc.property(arb, (e) => {
      const out = releaseEcheance(e);
      const invoiced = e.montantRegleCents + e.montantEnCoursCents;
      expect(out.montantTotalCents).toBe(invoiced);
      expect(out.libereCents).toBe(e.montantTotalCents - invoiced);
      expect(out.dontPedagogieCents + out.dontRqthCents).toBe(out.montantTotalCents);
      expect(out.dontPedagogieCents).toBeGreaterThanOrEqual(e.facturePedagogieCents);
      expect(out.dontRqthCents).toBeGreaterThanOrEqual(e.factureRqthCents);
      expect(out.dontPedagogieCents).toBeLessThanOrEqual(e.dontPedagogieCents);
      expect(out.dontRqthCents).toBeLessThanOrEqual(e.dontRqthCents);
    }));
  });

  it('the plan adds up what the échéances and the envelopes release', () => {
    const plan = planRelease(
      [{ numero: 1, montantTotalCents: 1_000, dontPedagogieCents: 1_000, dontRqthCents: 0, montantRegleCents: 400, montantEnCoursCents: 0, facturePedagogieCents: 400, factureRqthCents: 0 }],
      [{ nature: 'MOBILITE', quantite: 1, montantTotalCents: 500, factureCents: 0, quantiteFacturee: 0 }],
    );
    expect({ echeances: plan.echeancesCents, frais: plan.fraisCents }).toEqual({ echeances: 600, frais: 500 });
  });
});
