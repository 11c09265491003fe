import { describe, expect, it } from 'vitest';
import { normalizeCerfa } from '../../src/domain/cerfa/normalize.js';
import { validateDossierRequest } from '../../src/domain/cerfa/schema-validation.js';
import { isIsoDate } from '../../src/domain/dates.js';
import { FIXTURE_CFA_SIRET, FIXTURE_CFA_UAI, FIXTURE_CONTRAT, validCerfaPayload } from '../fixtures/cerfa.js';

type Raw = Record<string, unknown>;

/** A fresh fixture CERFA with `edit` applied to a deep copy. */
function cerfaWith(edit: (cerfa: Raw) => void, seed = 1): Raw {
  const cerfa = structuredClone(validCerfaPayload(seed).cerfa);
  edit(cerfa);
  expect(validateDossierRequest({ cerfa })).toEqual([]); // normalizeCerfa expects schema-valid input
  return cerfa;
}

function section(cerfa: Raw, name: string): Raw {
  return cerfa[name] as Raw;
}

describe('normalizeCerfa', () => {
  it('When given the fixture, Then every date is a calendar date and codes are numbers', () => {
    const cerfa = normalizeCerfa(validCerfaPayload(7).cerfa);
    expect(cerfa.contrat.dateConclusion).toBe(FIXTURE_CONTRAT.dateConclusion);
    expect(cerfa.contrat.dateDebutContrat).toBe(FIXTURE_CONTRAT.dateDebutContrat);
    expect(cerfa.contrat.dateFinContrat).toBe(FIXTURE_CONTRAT.dateFinContrat);
    expect(cerfa.formation.dateFinFormation).toBe(FIXTURE_CONTRAT.dateFinFormation);
    expect(isIsoDate(cerfa.apprenti.dateNaissance)).toBe(true);
    for (const ligne of cerfa.contrat.remunerationsAnnuelles) {
      expect(isIsoDate(ligne.dateDebut) && isIsoDate(ligne.dateFin)).toBe(true);
    }
    expect(cerfa.apprenti.nationalite).toBe(1); // sent as "1"
    expect(cerfa.employeur.typeEmployeur).toBe(12);
    expect(cerfa.organismeFormation).toMatchObject({ siret: FIXTURE_CFA_SIRET, uaiCfa: FIXTURE_CFA_UAI });
  });

  it.each([
    ['2024-09-01', '2024-09-01'],
    ['2024-09-01T00:00:00+02:00', '2024-09-01'],
    ['2024-09-01T00:00:00+0000', '2024-09-01'],
    ['2024-09-01T23:30:00-05:00', '2024-09-01'],
    ['2024-08-31T22:00:00Z', '2024-08-31'],
  ])('When a date is sent as %s, Then the written calendar date %s is kept (offset not applied)', (sent, want) => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { section(c, 'contrat').dateDebutContrat = sent; }));
    expect(cerfa.contrat.dateDebutContrat).toBe(want);
  });

  it.each([
    ['typeContratApp', '11', 11],
    ['typeContratApp', 21, 21],
    ['modeContractuel', '2', 2],
    ['typeDerogation', '21', 21],
  ])('When contrat.%s is %j, Then it becomes the number %i', (field, sent, want) => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { section(c, 'contrat')[field] = sent; }));
    expect((cerfa.contrat as unknown as Raw)[field]).toBe(want);
  });

  it.each([
    ['01', '01'],
    [1, '01'],
    ['1', '01'],
    [11, '11'],
    ['42', '42'],
  ])('When derniereClasse is %j, Then it becomes %j', (sent, want) => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { section(c, 'apprenti').derniereClasse = sent; }));
    expect(cerfa.apprenti.derniereClasse).toBe(want);
  });

  it('When the employer comes as employeurV2, Then it is read as employeur', () => {
    const raw = cerfaWith((c) => {
      c.employeurV2 = c.employeur;
      delete c.employeur;
    });
    const cerfa = normalizeCerfa(raw);
    expect(cerfa.employeur.siret).toBe((raw.employeurV2 as Raw).siret);
    expect(cerfa).not.toHaveProperty('employeurV2');
  });

  it('When employeur is null and employeurV2 is sent, Then employeurV2 is used', () => {
    const raw = cerfaWith((c) => {
      c.employeurV2 = c.employeur;
      c.employeur = null;
    });
    expect(normalizeCerfa(raw).employeur.denomination).toBe('Numérisia SAS');
  });

  it('When the State model names are used, Then they land on the names of the domain type', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      const contrat = section(c, 'contrat');
      contrat.dateSignature = '2025-08-19T00:00:00+02:00';
      delete contrat.dateConclusion;
      contrat.dateDebutFormationPratique = '2025-09-02';
      delete contrat.dateFormationPratiqueEmployeur;
      c.maitre2 = { nom: 'Roche', prenom: 'Marc', dateNaissance: '1980-02-03', diplome: 'BTS SIO', niveauDiplome: '5' };
    }));
    expect(cerfa.contrat.dateConclusion).toBe('2025-08-19');
    expect(cerfa.contrat.dateFormationPratiqueEmployeur).toBe('2025-09-02');
    expect(cerfa.maitre2).toEqual({ nom: 'Roche', prenom: 'Marc', dateNaissance: '1980-02-03', intituleDiplomeObtenu: 'BTS SIO', niveauDiplomeObtenu: 5 });
  });

  it('When both a norm name and its alias are sent, Then the norm name wins', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      section(c, 'contrat').dateSignature = '2025-08-01';
      section(c, 'maitre1').diplome = 'autre';
    }));
    expect(cerfa.contrat.dateConclusion).toBe(FIXTURE_CONTRAT.dateConclusion);
    expect(cerfa.maitre1.intituleDiplomeObtenu).toBe('Master informatique');
  });

  it('When an address comes as numero + voie with a numeric string, Then numero is a number', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      section(c, 'apprenti').adresse = { numero: '12', repetitionVoie: 'B', voie: 'avenue Jean Jaurès', codePostal: '69007', commune: 'Lyon' };
    }));
    expect(cerfa.apprenti.adresse).toEqual({ numero: 12, repetitionVoie: 'B', voie: 'avenue Jean Jaurès', codePostal: '69007', commune: 'Lyon' });
  });

  it('When optional fields are null or empty strings, Then they are absent', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      Object.assign(section(c, 'apprenti'), { nomUsage: '', nir: null, telephone: '', courriel: null, departementNaissance: '' });
      Object.assign(section(c, 'contrat'), { typeDerogation: '', modeContractuel: null, noContrat: '', noAvenant: 0, dateRupture: '' });
      Object.assign(section(c, 'employeur'), { employeurSpecifique: null, libelleIdcc: null });
    }));
    for (const key of ['nomUsage', 'nir', 'telephone', 'courriel', 'departementNaissance']) expect(cerfa.apprenti).not.toHaveProperty(key);
    for (const key of ['typeDerogation', 'modeContractuel', 'noContrat', 'noAvenant', 'dateRupture']) expect(cerfa.contrat).not.toHaveProperty(key);
    expect(cerfa.employeur).not.toHaveProperty('employeurSpecifique');
    expect(cerfa.employeur).not.toHaveProperty('libelleIdcc');
  });

  it('When typeDerogation is 99 (AGECAP "none"), Then there is no derogation', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { section(c, 'contrat').typeDerogation = '99'; }));
    expect(cerfa.contrat.typeDerogation).toBeUndefined();
  });

  it('When noContrat is a real DECA number, Then it is kept as a string', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { section(c, 'contrat').noContrat = '069202509NC0042'; }));
    expect(cerfa.contrat.noContrat).toBe('069202509NC0042');
  });

  it.each([
    ['null', null],
    ['an empty object', {}],
    ['an object of nulls', { nom: null, prenom: '', dateNaissance: null }],
  ])('When maitre2 is %s, Then it is undefined', (_label, maitre2) => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { c.maitre2 = maitre2; }));
    expect(cerfa.maitre2).toBeUndefined();
    expect(cerfa).not.toHaveProperty('maitre2');
  });

  it('When responsableLegal and the training site are null or empty, Then they are undefined', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      section(c, 'apprenti').responsableLegal = {};
      c.organismeFormationLieuFormationPrincipal = null;
    }));
    expect(cerfa.apprenti.responsableLegal).toBeUndefined();
    expect(cerfa.organismeFormationLieuFormationPrincipal).toBeUndefined();
  });

  it('When UAIs are lower-case, Then they are upper-cased; rncp stays as sent', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      section(c, 'organismeFormation').uaiCfa = '0693456g';
      c.organismeFormationLieuFormationPrincipal = { denomination: 'Site de Villeurbanne', uaiCfa: '0561910x', siret: FIXTURE_CFA_SIRET };
      section(c, 'formation').rncp = 'rncp35340';
    }));
    expect(cerfa.organismeFormation.uaiCfa).toBe('0693456G');
    expect(cerfa.organismeFormationLieuFormationPrincipal).toEqual({ denomination: 'Site de Villeurbanne', uaiCfa: '0561910X', siret: FIXTURE_CFA_SIRET });
    expect(cerfa.formation.rncp).toBe('rncp35340');
  });

  it('When the CFA address is absent, Then the domain gets an empty address', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => { delete section(c, 'organismeFormation').adresse; }));
    expect(cerfa.organismeFormation.adresse).toEqual({});
  });

  it.each([
    ['CERFASignatureProbante', true],
    ['CERFAsignatureProbante', true],
    ['CERFAsignatureProbante', false],
  ])('When the signature flag is spelt %s, Then CERFASignatureProbante is %s', (key, value) => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      delete c.CERFASignatureProbante;
      c[key] = value;
    }));
    expect(cerfa.CERFASignatureProbante).toBe(value);
  });

  it('When unknown properties are sent, Then they are not carried into the domain object', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      c.champEditeur = 'x';
      section(c, 'apprenti').couleurPreferee = 'bleu';
    }));
    expect(cerfa).not.toHaveProperty('champEditeur');
    expect(cerfa.apprenti).not.toHaveProperty('couleurPreferee');
    expect(cerfa).not.toHaveProperty('etat');
  });

  it('When remuneration lines come with numeric ordre, Then ordre is a string', () => {
    const cerfa = normalizeCerfa(cerfaWith((c) => {
      const lignes = section(c, 'contrat').remunerationsAnnuelles as Raw[];
      for (const ligne of lignes) ligne.ordre = Number(ligne.ordre);
    }));
    expect(cerfa.contrat.remunerationsAnnuelles.map((l) => l.ordre)).toEqual(
      (validCerfaPayload(1).cerfa.contrat as { remunerationsAnnuelles: { ordre: string }[] }).remunerationsAnnuelles.map((l) => l.ordre));
  });

  it('When a required field is missing (payload not validated), Then it throws', () => {
    const raw = structuredClone(validCerfaPayload(1).cerfa);
    delete section(raw, 'apprenti').nom;
    expect(() => normalizeCerfa(raw)).toThrow(/apprenti\.nom/);
  });
});
