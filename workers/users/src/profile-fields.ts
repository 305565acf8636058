import { currencySchema, z } from "#core";

/** A BCP 47 language tag; the handler stores its canonical form ("en-gb" → "en-GB"). */
export const localeField = z
  .string()
  .min(2)
  .max(35)
  .refine((v) => {
    try {
      return Intl.getCanonicalLocales(v).length === 1;
    } catch {
      return false;
    }
  }, "must be a BCP 47 language tag such as en or fr-FR")
  .openapi({ example: "fr-FR" });

/** An IANA time zone name. */
export const timezoneField = z
  .string()
  .min(1)
  .max(64)
  .refine((v) => {
    try {
      new Intl.DateTimeFormat("en-US", { timeZone: v });
      return true;
    } catch {
      return false;
    }
  }, "must be an IANA time zone such as Europe/Paris")
  .openapi({ example: "Europe/Paris" });

const regions = new Intl.DisplayNames("en", { type: "region", fallback: "none" });
/** Region codes with a name that are not countries (unions, the unknown region, pseudo-regions for testing). */
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "ZZ", "XA", "XB"]);

/** A country Unicode's region data names, under its own current code (UK is GB, BU is MM). */
const isCountryCode = (code: string) =>
  /^[A-Z]{2}$/.test(code) &&
  !NOT_COUNTRIES.has(code) &&
  regions.of(code) !== undefined &&
  Intl.getCanonicalLocales(`und-${code}`)[0] === `und-${code}`;

export const taxResidenceField = z
  .string()
  .regex(/^[A-Z]{2}$/, "must be an ISO 3166-1 alpha-2 country code in upper case")
  .refine(isCountryCode, "must be an assigned ISO 3166-1 alpha-2 country code (GB for the United Kingdom)")
  .nullable()
  .openapi({ example: "FR" });

export const baseCurrencyField = currencySchema;
