/**
 * A CFA's own data, kept by the gateway to prefill its proposals (the Formation tab's CFA
 * responsable): schemas/cfa-profil.schema.json. Pure: the stored shape, from what the schema let in.
 */

export interface CfaProfilAdresse {
  numero?: number;
  voie?: string;
  complement?: string;
  codePostal: string;
  commune: string;
}

/** The profile as stored and served (optional members absent rather than null or empty). */
export interface CfaProfil {
  siret: string;
  uai: string;
  denomination: string;
  adresse: CfaProfilAdresse;
  telephone?: string;
  courriel?: string;
}

/** What the schema lets through (optional members may be null or `""`; `numero` a number or digits). */
export interface CfaProfilInput {
  siret: string;
  uai: string;
  denomination: string;
  adresse: {
    numero?: number | string | null;
    voie?: string | null;
    complement?: string | null;
    codePostal: string;
    commune: string;
  };
  telephone?: string | null;
  courriel?: string | null;
}

/** A present, non-empty text, trimmed; else undefined. */
function text(value: string | null | undefined): string | undefined {
  const t = value?.trim();
  return t ? t : undefined;
}

/** The profile to store: known members only, texts trimmed, UAI in capitals, `numero` a number, empty optionals dropped. */
export function toCfaProfil(input: CfaProfilInput): CfaProfil {
  const { adresse } = input;
  const numero = adresse.numero === null || adresse.numero === undefined || adresse.numero === '' ? undefined : Number(adresse.numero);
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> => (value === undefined ? {} : ({ [key]: value } as Record<K, V>));
  return {
    siret: input.siret.trim(),
    uai: input.uai.trim().toUpperCase(),
    denomination: input.denomination.trim(),
    adresse: {
      ...optional('numero', numero),
      ...optional('voie', text(adresse.voie)),
      ...optional('complement', text(adresse.complement)),
      codePostal: adresse.codePostal.trim(),
      commune: adresse.commune.trim(),
    },
    ...optional('telephone', text(input.telephone)),
    ...optional('courriel', text(input.courriel)),
  };
}
