import type { Dated } from "./dated";

// VAT rates in basis points by country, class and date of supply. A `null` value abolishes a class.
// Every EU member state has its standard rate; FR, DE and GB have all their classes.

export const VAT_CLASSES = ["standard", "intermediate", "reduced", "super_reduced", "zero"] as const;
export type VatClass = (typeof VAT_CLASSES)[number];

export interface VatCountry {
  readonly name: string;
  readonly rates: Readonly<Partial<Record<VatClass, readonly Dated<number | null>[]>>>;
}

const EC =
  "European Commission, VAT rates applied in the Member States — https://taxation-customs.ec.europa.eu/taxation/vat/vat-directive/vat-rates_en";
const rate = (from: string, value: number | null, source = EC): Dated<number | null> => ({ from, value, source });
const standardOnly = (name: string, ...history: Dated<number | null>[]): VatCountry => ({ name, rates: { standard: history } });

const FR_2014 = "Loi n° 2012-1510 du 29 décembre 2012 (LFR 2012) art. 68, in force 2014-01-01";
const UK = "Value Added Tax Act 1994";

export const VAT_RATES: Readonly<Record<string, VatCountry>> = {
  FR: {
    name: "France",
    rates: {
      standard: [rate("2014-01-01", 2000, `CGI art. 278; ${FR_2014}`)],
      intermediate: [rate("2014-01-01", 1000, `CGI art. 279; ${FR_2014}`)],
      reduced: [rate("2014-01-01", 550, "CGI art. 278-0 bis (modelled from 2014-01-01)")],
      super_reduced: [rate("2014-01-01", 210, "CGI art. 281 quater to 281 nonies (modelled from 2014-01-01)")],
    },
  },
  DE: {
    name: "Germany",
    rates: {
      standard: [
        rate("2007-01-01", 1900, "UStG §12 Abs. 1 (Haushaltsbegleitgesetz 2006)"),
        rate("2020-07-01", 1600, "UStG §28 Abs. 1 (Zweites Corona-Steuerhilfegesetz), 2020-07-01 to 2020-12-31"),
        rate("2021-01-01", 1900, "UStG §12 Abs. 1"),
      ],
      reduced: [
        rate("1983-07-01", 700, "UStG §12 Abs. 2"),
        rate("2020-07-01", 500, "UStG §28 Abs. 2 (Zweites Corona-Steuerhilfegesetz), 2020-07-01 to 2020-12-31"),
        rate("2021-01-01", 700, "UStG §12 Abs. 2"),
      ],
      zero: [rate("2023-01-01", 0, "UStG §12 Abs. 3 (photovoltaic installations, Jahressteuergesetz 2022)")],
    },
  },
  GB: {
    name: "United Kingdom",
    rates: {
      standard: [
        rate(
          "2011-01-04",
          2000,
          `${UK} s.2 (Finance (No. 2) Act 2010 s.3) — https://www.gov.uk/guidance/rates-of-vat-on-different-goods-and-services`,
        ),
      ],
      reduced: [
        rate("1997-09-01", 500, `${UK} s.29A and Sch. 7A — https://www.gov.uk/guidance/rates-of-vat-on-different-goods-and-services`),
      ],
      zero: [rate("1973-04-01", 0, `${UK} s.30 and Sch. 8 — https://www.gov.uk/guidance/rates-of-vat-on-different-goods-and-services`)],
    },
  },
  AT: standardOnly("Austria", rate("1984-01-01", 2000)),
  BE: standardOnly("Belgium", rate("1996-01-01", 2100)),
  BG: standardOnly("Bulgaria", rate("2007-01-01", 2000)),
  HR: standardOnly("Croatia", rate("2012-03-01", 2500)),
  CY: standardOnly("Cyprus", rate("2014-01-13", 1900)),
  CZ: standardOnly("Czechia", rate("2013-01-01", 2100)),
  DK: standardOnly("Denmark", rate("1992-01-01", 2500)),
  EE: standardOnly(
    "Estonia",
    rate("2009-07-01", 2000),
    rate("2024-01-01", 2200, `${EC}; Käibemaksuseadus §15 (amended 2023)`),
    rate("2025-07-01", 2400, `${EC}; Käibemaksuseadus §15 (amended 2024) — https://www.emta.ee/en`),
  ),
  FI: standardOnly(
    "Finland",
    rate("2013-01-01", 2400),
    rate("2024-09-01", 2550, `${EC}; Arvonlisäverolaki §84 — https://www.vero.fi/en/businesses-and-corporations/taxes-and-charges/vat/`),
  ),
  GR: standardOnly("Greece", rate("2016-06-01", 2400)),
  HU: standardOnly("Hungary", rate("2012-01-01", 2700)),
  IE: standardOnly("Ireland", rate("2021-03-01", 2300)),
  IT: standardOnly("Italy", rate("2013-10-01", 2200)),
  LV: standardOnly("Latvia", rate("2011-07-01", 2100)),
  LT: standardOnly("Lithuania", rate("2009-09-01", 2100)),
  LU: standardOnly("Luxembourg", rate("2015-01-01", 1700), rate("2023-01-01", 1600), rate("2024-01-01", 1700)),
  MT: standardOnly("Malta", rate("2004-01-01", 1800)),
  NL: standardOnly("Netherlands", rate("2012-10-01", 2100)),
  PL: standardOnly("Poland", rate("2011-01-01", 2300)),
  PT: standardOnly("Portugal", rate("2011-01-01", 2300)),
  RO: standardOnly("Romania", rate("2017-01-01", 1900), rate("2025-08-01", 2100, `${EC}; Legea nr. 141/2025`)),
  SK: standardOnly(
    "Slovakia",
    rate("2011-01-01", 2000),
    rate(
      "2025-01-01",
      2300,
      `${EC}; zákon č. 222/2004 Z. z. §27 as amended — https://www.slov-lex.sk/ezbierky/pravne-predpisy/SK/ZZ/2004/222/`,
    ),
  ),
  SI: standardOnly("Slovenia", rate("2013-07-01", 2200)),
  ES: standardOnly("Spain", rate("2012-09-01", 2100)),
  SE: standardOnly("Sweden", rate("1990-07-01", 2500)),
};

/** The 27 EU member states (ISO 3166-1; the EU itself writes Greece "EL"). */
export const EU_MEMBERS = [
  "AT",
  "BE",
  "BG",
  "HR",
  "CY",
  "CZ",
  "DK",
  "EE",
  "FI",
  "FR",
  "DE",
  "GR",
  "HU",
  "IE",
  "IT",
  "LV",
  "LT",
  "LU",
  "MT",
  "NL",
  "PL",
  "PT",
  "RO",
  "SK",
  "SI",
  "ES",
  "SE",
] as const;
