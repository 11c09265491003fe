/** Pure rules of the proposals (pré-saisie): tabs of JSON pointers, counts, moves, the save minimum, prefill. */
import { describe, expect, it } from 'vitest';
import {
  byTab, canMove, countByTab, ETATS_PROPOSITION, ongletOf, prefillEmployeur, prefillFormation, saveMinimumViolations,
} from '../../src/domain/propositions.js';
import type { Violation } from '../../src/domain/violation.js';

const v = (champ: string): Violation => ({ code: 'X', description: 'x', champ, section: 'cerfa' });

describe('tabs', () => {
  it('maps CERFA pointers onto the guide’s tabs', () => {
    expect(ongletOf('/cerfa/employeur/siret')).toBe('employeur');
    expect(ongletOf('/cerfa/employeurV2/naf')).toBe('employeur');
    expect(ongletOf('/cerfa/employeur/attestationPieces')).toBe('attestation');
    expect(ongletOf('/cerfa/contrat/lieuSignatureContrat')).toBe('attestation');
    expect(ongletOf('/cerfa/contrat/remunerationsAnnuelles/0/taux')).toBe('contrat');
    expect(ongletOf('/cerfa/maitre2/nom')).toBe('maitreApprentissage');
    expect(ongletOf('/cerfa/organismeFormation/uaiCfa')).toBe('formation');
    expect(ongletOf('/cerfa/organismeFormationLieuFormationPrincipal/siret')).toBe('formation');
    expect(ongletOf('/cerfa/apprenti/adresse/commune')).toBe('apprenti');
    expect(ongletOf('/cerfa/versionCERFA')).toBe('introduction');
    expect(ongletOf('/cerfa')).toBe('introduction');
    expect(ongletOf('/documents')).toBe('documents');
  });

  it('lists the 9 tabs with counts equal to their findings', () => {
    const findings = [v('/cerfa/apprenti/nom'), v('/cerfa/apprenti/nir'), v('/documents')];
    const tabs = byTab(findings);
    expect(tabs).toHaveLength(9);
    expect(tabs.map((t) => [t.onglet, t.nombreErreurs])).toEqual([
      ['introduction', 0], ['employeur', 0], ['apprenti', 2], ['maitreApprentissage', 0], ['contrat', 0],
      ['formation', 0], ['synthese', 0], ['documents', 1], ['attestation', 0],
    ]);
    expect(countByTab(findings)).toEqual({ apprenti: 2, documents: 1 });
  });
});

describe('moves', () => {
  it('allows exactly the guide’s steps', () => {
    const allowed = ETATS_PROPOSITION.flatMap((from) => ETATS_PROPOSITION.filter((to) => canMove(from, to)).map((to) => `${from}>${to}`));
    expect(allowed).toEqual([
      'EN_COURS_DE_SAISIE>ENVOYE_A_L_ENTREPRISE',
      'ENVOYE_A_L_ENTREPRISE>EN_COURS_DE_SAISIE',
      'ENVOYE_A_L_ENTREPRISE>EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE',
      'ENVOYE_A_L_ENTREPRISE>REFUSE_PAR_L_ENTREPRISE',
      'EN_COURS_D_EXAMEN_PAR_L_ENTREPRISE>TRANSMIS_A_L_OPCO',
    ]);
  });
});

describe('save minimum', () => {
  it('names each missing field; blanks count as missing; a malformed SIRET gives no NIC', () => {
    expect(saveMinimumViolations(undefined).map((x) => x.champ)).toEqual(['/cerfa/employeur/denomination', '/cerfa/employeur/siret', '/cerfa/apprenti/nom', '/cerfa/apprenti/prenom']);
    expect(saveMinimumViolations({ employeur: { denomination: 'A', siret: '1234' }, apprenti: { nom: ' ', prenom: 'B' } }).map((x) => x.champ))
      .toEqual(['/cerfa/employeur/siret', '/cerfa/apprenti/nom']);
    expect(saveMinimumViolations({ employeurV2: { siret: '812 345 676 00173' }, apprenti: { nom: 'A', prenom: 'B' } })).toEqual([]);
  });
});

describe('prefill', () => {
  it('fills only what is empty, nested objects included', () => {
    const cerfa = { organismeFormation: { denomination: 'Mon CFA', adresse: { commune: 'Lyon', codePostal: '' } } };
    const profil = { siret: '77889911200016', uai: '0693456G', denomination: 'Autre', adresse: { voie: 'quai', codePostal: '69009', commune: 'Villeurbanne' } };
    expect(prefillFormation(cerfa, profil).organismeFormation).toEqual({
      denomination: 'Mon CFA', siret: '77889911200016', uaiCfa: '0693456G', adresse: { commune: 'Lyon', codePostal: '69009', voie: 'quai' },
    });
    expect(prefillFormation(cerfa, undefined)).toBe(cerfa);
    const adherent = { raisonSociale: 'Numérisia SAS', adresse: null, codePostal: null, commune: null, naf: null, idcc: '1486', effectif: 0 };
    expect(prefillEmployeur({ employeur: { siret: '81234567600173' } }, adherent).employeur).toEqual({
      siret: '81234567600173', denomination: 'Numérisia SAS', codeIdcc: '1486', nombreDeSalaries: 0,
    });
  });
});
