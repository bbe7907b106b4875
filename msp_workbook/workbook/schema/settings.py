"""The Settings rows: their names (`SETTING_<NAME>`), defaults and help, and which take a range
or a form; the months that can be billed. A row the core's findings point at is named by the
core's word (`core.vocabulary`, `<NAME>_SETTING`), taken from there."""

from __future__ import annotations

from dataclasses import dataclass

from ...core import vocabulary
from ...core.months import Month
from .choices import CHARTS_OF_ACCOUNTS, LANGUAGES, MISSING_USAGE

SETTING_RESELLER = vocabulary.RESELLER_SETTING
SETTING_COUNTRY = "Country"
SETTING_CURRENCY = vocabulary.CURRENCY_SETTING
SETTING_VAT_RATE = "VAT rate"
SETTING_BILLING_MONTH = "Billing month"
# The months that can be billed: a twelve-month window before them and a year after them stay
# within the calendar (a billing month of 0001-05 ended the run with a traceback).
FIRST_MONTH, LAST_MONTH = Month(2000, 1), Month(9998, 12)
SETTING_MISSING_USAGE = "Missing usage"
SETTING_INVOICE_PREFIX = vocabulary.INVOICE_PREFIX_SETTING
# Years of data (SPEC section 11): how far back billing an open month corrects closed months.
SETTING_CORRECTION_MONTHS = "Correction months"
# The seller on invoice documents (SPEC section 6).
SETTING_STREET = vocabulary.STREET_SETTING
SETTING_POSTCODE = vocabulary.POSTCODE_SETTING
SETTING_CITY = vocabulary.CITY_SETTING
SETTING_VAT_ID = vocabulary.VAT_ID_SETTING
SETTING_TAX_NUMBER = vocabulary.TAX_NUMBER_SETTING
SETTING_CONTACT = vocabulary.CONTACT_SETTING
SETTING_PHONE = vocabulary.PHONE_SETTING
SETTING_EMAIL = vocabulary.EMAIL_SETTING
SETTING_IBAN = vocabulary.IBAN_SETTING
SETTING_BIC = vocabulary.BIC_SETTING
SETTING_PAYMENT_DAYS = "Payment days"
SETTING_LANGUAGE = "Language"
# The DATEV booking batch (SPEC section 9).
SETTING_DATEV_CONSULTANT = vocabulary.DATEV_CONSULTANT_SETTING
SETTING_DATEV_CLIENT = vocabulary.DATEV_CLIENT_SETTING
SETTING_CHART = "Chart of accounts"
SETTING_FISCAL_YEAR_START = "Fiscal year start"
SETTING_REVENUE_ACCOUNT = vocabulary.REVENUE_ACCOUNT_SETTING
SETTING_REVERSE_CHARGE_ACCOUNT = "Reverse charge account"
SETTING_NON_EU_ACCOUNT = "Non-EU account"
# The SEPA direct debit (SPEC section 9).
SETTING_CREDITOR_ID = vocabulary.CREDITOR_ID_SETTING
DATEV_ACCOUNT_SETTINGS = (
    SETTING_REVENUE_ACCOUNT,
    SETTING_REVERSE_CHARGE_ACCOUNT,
    SETTING_NON_EU_ACCOUNT,
)
# The seller's address: once one of them is set, recalc lists what documents would lack.
SELLER_ADDRESS_SETTINGS = (SETTING_STREET, SETTING_POSTCODE, SETTING_CITY)
# Settings that are whole numbers in a range: (lowest, highest, what). DATEV's own ranges:
# Beraternummer 1001-9999999, Mandantennummer 1-99999, four-digit accounts at account length 4.
SETTING_RANGES: dict[str, tuple[int, int, str]] = {
    SETTING_DATEV_CONSULTANT: (1001, 9999999, "a DATEV Beraternummer"),
    SETTING_DATEV_CLIENT: (1, 99999, "a DATEV Mandantennummer"),
    SETTING_FISCAL_YEAR_START: (1, 12, "a month"),
    SETTING_CORRECTION_MONTHS: (0, 120, "a number of months"),
    **{name: (1000, 9999, "a four-digit account") for name in DATEV_ACCOUNT_SETTINGS},
}
# Settings whose value has a form (see Column.form).
SETTING_FORMS = {
    SETTING_POSTCODE: "postcode",
    SETTING_VAT_ID: "vat_id",
    SETTING_EMAIL: "email",
    SETTING_IBAN: "iban",
    SETTING_CREDITOR_ID: "creditor_id",
    SETTING_BIC: "bic",
}


@dataclass(frozen=True)
class SettingSpec:
    name: str
    default: str | float | None
    help: str


SETTINGS_SPEC: tuple[SettingSpec, ...] = (
    SettingSpec(SETTING_RESELLER, None, "Your company name, shown on invoices."),
    SettingSpec(
        SETTING_COUNTRY,
        vocabulary.DEFAULT_COUNTRY,
        "Your country, ISO 3166 alpha-2 (DE, AT, CH, ...).",
    ),
    SettingSpec(
        SETTING_CURRENCY, vocabulary.DEFAULT_CURRENCY, "ISO 4217 currency code of all prices."
    ),
    SettingSpec(
        SETTING_VAT_RATE,
        float(vocabulary.DEFAULT_VAT_RATE),
        "MwSt.-Satz in Prozent, z. B. 19% tippen. / VAT rate as a percentage: type e.g. 19%.",
    ),
    SettingSpec(
        SETTING_BILLING_MONTH,
        None,
        "Month to bill, YYYY-MM or any date in it; empty = the month before today.",
    ),
    SettingSpec(
        SETTING_MISSING_USAGE,
        MISSING_USAGE[0],
        "No reading in the month: carry forward or zero.",
    ),
    SettingSpec(
        SETTING_INVOICE_PREFIX, vocabulary.DEFAULT_INVOICE_PREFIX, "Prefix of invoice numbers."
    ),
    SettingSpec(
        SETTING_CORRECTION_MONTHS,
        vocabulary.DEFAULT_CORRECTION_MONTHS,
        "Closed months this far back are corrected when usage or prices change; older ones "
        "are final (0 = no corrections).",
    ),
    SettingSpec(
        SETTING_STREET, None, "Your street and number, on invoices. Example: Hauptstraße 1"
    ),
    SettingSpec(SETTING_POSTCODE, None, "Your postcode. Example: 10115"),
    SettingSpec(SETTING_CITY, None, "Your city. Example: Berlin"),
    SettingSpec(SETTING_VAT_ID, None, "Your VAT ID (USt-IdNr.), on invoices. Example: DE136695976"),
    SettingSpec(
        SETTING_TAX_NUMBER,
        None,
        "Your tax number (Steuernummer); an invoice needs VAT ID or tax number, and a customer "
        "outside the EU the tax number. Example: 30/123/45678",
    ),
    SettingSpec(
        SETTING_CONTACT, None, "Who answers questions about invoices. Example: Anna Schmidt"
    ),
    SettingSpec(SETTING_PHONE, None, "Phone number for invoice questions. Example: +49 30 1234567"),
    SettingSpec(
        SETTING_EMAIL,
        None,
        "E-mail for invoice questions; also your electronic address on e-invoices. "
        "Example: rechnung@example.de",
    ),
    SettingSpec(
        SETTING_IBAN, None, "The account your customers pay to. Example: DE02120300000000202051"
    ),
    SettingSpec(SETTING_BIC, None, "BIC of that account (optional). Example: BYLADEM1001"),
    SettingSpec(
        SETTING_PAYMENT_DAYS,
        vocabulary.DEFAULT_PAYMENT_DAYS,
        "Days from the invoice date to the due date.",
    ),
    SettingSpec(SETTING_LANGUAGE, LANGUAGES[0], "Language of invoice documents: de or en."),
    SettingSpec(
        SETTING_CREDITOR_ID,
        None,
        "Your SEPA creditor ID (Gläubiger-ID), for direct debits. Example: DE98ZZZ09999999999",
    ),
    SettingSpec(
        SETTING_DATEV_CONSULTANT,
        None,
        "DATEV Beraternummer of your tax adviser, for the DATEV export. Example: 29098",
    ),
    SettingSpec(
        SETTING_DATEV_CLIENT, None, "Your DATEV Mandantennummer at that adviser. Example: 55003"
    ),
    SettingSpec(
        SETTING_CHART,
        CHARTS_OF_ACCOUNTS[0],
        "Chart of accounts of your bookkeeping: SKR03 or SKR04.",
    ),
    SettingSpec(
        SETTING_FISCAL_YEAR_START,
        vocabulary.DEFAULT_FISCAL_YEAR_START,
        "Month your fiscal year starts in, 1-12 (1 = January).",
    ),
    SettingSpec(
        SETTING_REVENUE_ACCOUNT,
        None,
        "Revenue account of domestic invoices (19 % VAT); empty = 8400 (SKR03) or 4400 (SKR04).",
    ),
    SettingSpec(
        SETTING_REVERSE_CHARGE_ACCOUNT,
        None,
        "Revenue account of EU reverse-charge invoices; empty = 8336 (SKR03) or 4336 (SKR04).",
    ),
    SettingSpec(
        SETTING_NON_EU_ACCOUNT,
        None,
        "Revenue account of invoices outside the EU; empty = 8338 (SKR03) or 4338 (SKR04).",
    ),
)
