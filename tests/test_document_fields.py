"""What an invoice document needs from Settings and Customers, and where each gap is reported
(SPEC section 6; check sums as SPEC section 9 asks)."""

from __future__ import annotations

import shutil

import openpyxl
from conftest import run_cli

from msp_workbook.core.document_fields import buyer_gaps, seller_gaps
from msp_workbook.core.invoice_document import vat_category
from msp_workbook.core.models import Customer, Settings

SELLER = {
    "reseller": "Muster IT GmbH",
    "street": "Friedrichstraße 123",
    "postcode": "10117",
    "city": "Berlin",
    "vat_id": "DE136695976",
    "contact": "Anna Schmidt",
    "phone": "+49 30 1234567",
    "email": "rechnung@muster-it.example",
    "iban": "DE02 1203 0000 0000 2020 51",
}


def settings(**changes: object) -> Settings:
    """Settings as read from a table holding every setting from row 2 on (Value in column B)."""
    names = [
        "Reseller",
        "Street",
        "Postcode",
        "City",
        "VAT ID",
        "Tax number",
        "Contact",
        "Phone",
        "Email",
        "IBAN",
        "BIC",
    ]
    cells = {name: f"Settings!B{row}" for row, name in enumerate(names, start=2)}
    return Settings(**{**SELLER, **changes, "cells": cells})  # type: ignore[arg-type]


def customer(**changes: object) -> Customer:
    headers = ["Customer ID", "Customer", "Email", "Country", "VAT ID", "Discount %", "Street"]
    headers += ["Postcode", "City", "Buyer reference", "Language"]
    letters = "ABCDEFGHIJK"
    values: dict[str, object] = {
        "customer_id": "C-0001",
        "customer": "Bäckerei Huber GmbH",
        "email": "rechnung@baeckerei-huber.example",
        "country": "DE",
        "street": "Backstubenweg 4",
        "postcode": "80331",
        "city": "München",
        "source": "Customers!A5",
        "cells": {h: f"Customers!{letters[i]}5" for i, h in enumerate(headers)},
    }
    return Customer(**{**values, **changes})  # type: ignore[arg-type]


def messages(checks) -> list[str]:
    return [str(c) for c in checks]


def test_complete_settings_and_customer_have_no_gaps():
    assert seller_gaps(settings()) == []
    assert buyer_gaps(customer(), settings(), reverse_charge=False) == []


def test_each_missing_seller_field_is_an_error_at_its_value_cell():
    gaps = seller_gaps(settings(street="", phone=" ", iban=""))
    assert messages(gaps) == [
        "Settings!B3: Street is empty: invoice documents need your address",
        "Settings!B9: Phone is empty: invoice documents need a phone number for invoice questions",
        "Settings!B11: IBAN is empty: invoice documents need the account your customers pay to",
    ]
    assert {g.severity for g in gaps} == {"error"}
    assert {g.severity for g in seller_gaps(settings(street=""), "warning")} == {"warning"}


def test_a_setting_without_a_row_names_the_sheet_and_says_to_add_it():
    bare = Settings(**SELLER, cells={})  # type: ignore[arg-type]
    assert messages(seller_gaps(bare.model_copy(update={"contact": ""}))) == [
        "Settings: Contact is empty: invoice documents need who answers questions about "
        'invoices (Settings has no row "Contact": add it)'
    ]


def test_vat_id_or_tax_number_is_enough_but_one_is_needed():
    assert seller_gaps(settings(vat_id="", tax_number="30/123/45678")) == []
    assert messages(seller_gaps(settings(vat_id=""))) == [
        "Settings!B6: VAT ID and Tax number are both empty: invoice documents need one of them"
    ]


def test_check_sums_of_iban_bic_and_vat_id_and_the_forms_of_email_and_postcode():
    gaps = seller_gaps(
        settings(
            iban="DE02120300000000202052",  # last digit changed: check sum fails
            bic="BYLADEM",
            vat_id="DE136695977",
            email="rechnung.muster-it.example",
            postcode="1011",
        )
    )
    assert [g.cell for g in gaps] == ["B10", "B11", "B12", "B6", "B4"]
    assert "not a valid IBAN (form or check sum)" in gaps[1].message
    assert "not a valid BIC" in gaps[2].message
    assert "not a valid EU VAT ID (form or check sum)" in gaps[3].message
    assert "not an e-mail address" in gaps[0].message
    assert "a leading 0 is lost when typed as a number" in gaps[4].message


def test_a_vat_id_must_start_with_its_country_code():
    (gap,) = seller_gaps(settings(vat_id="136695976"))
    assert gap.message == 'VAT ID must start with its country code (DE, AT, ...): "136695976"'


def test_each_missing_customer_field_is_an_error_at_the_customers_cell():
    gaps = buyer_gaps(customer(city="", email=""), settings(), reverse_charge=False)
    assert messages(gaps) == [
        "Customers!I5: City of customer C-0001 is empty: its invoice documents need the "
        "customer's address",
        "Customers!C5: Email of customer C-0001 is empty: its invoice documents need the "
        "customer's e-mail address",
    ]


def test_a_customers_table_without_the_address_columns_points_at_the_row():
    old = customer(street="", cells={"Customer ID": "Customers!A5", "Email": "Customers!C5"})
    (gap, *_) = buyer_gaps(old, settings(), reverse_charge=False)
    assert str(gap) == (
        "Customers!A5: Street of customer C-0001 is empty: its invoice documents need the "
        'customer\'s address (the Customers table has no "Street" column: add it)'
    )


def test_tax_cases_decide_the_vat_category_and_what_the_seller_must_give():
    assert vat_category(False, "AT") == "S"
    assert vat_category(True, "AT") == "AE"
    assert vat_category(True, "CH") == "O"
    swiss = customer(country="CH", vat_id="CHE-123.456.789 MWST")
    (gap,) = buyer_gaps(swiss, settings(), reverse_charge=True)
    assert gap.cell == "B7" and "must give your tax number, not your VAT ID" in gap.message
    assert buyer_gaps(swiss, settings(tax_number="30/123/45678"), reverse_charge=True) == []
    austrian = customer(country="AT", vat_id="ATU12345678", postcode="6020")  # bad check sum
    (gap,) = buyer_gaps(austrian, settings(), reverse_charge=True)
    assert gap.cell == "E5" and "not a valid EU VAT ID" in gap.message
    assert buyer_gaps(austrian.model_copy(update={"vat_id": "ATU12345675"}), settings(), True) == []


def test_an_older_workbook_without_the_new_columns_and_rows_still_bills(demo, tmp_path):
    path = tmp_path / "old.xlsx"
    shutil.copyfile(demo, path)
    book = openpyxl.load_workbook(path)
    customers = book["Customers"]
    customers.delete_cols(7, 5)  # Street .. Language
    table = customers.tables["Customers"]
    table.ref = f"A1:F{customers.max_row}"
    table.tableColumns = table.tableColumns[:6]
    table.autoFilter.ref = table.ref
    settings_sheet = book["Settings"]
    rows = [r for r in range(2, settings_sheet.max_row + 1)]
    names = {settings_sheet.cell(r, 1).value: r for r in rows}
    last = names["Invoice prefix"]
    settings_sheet.delete_rows(last + 1, settings_sheet.max_row - last)
    settings_sheet.tables["Settings"].ref = f"A1:B{last}"
    settings_sheet.tables["Settings"].autoFilter.ref = f"A1:B{last}"
    book.save(path)
    result = run_cli("recalc", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    # The same bill as the demo with its columns; no address on Settings: documents are not
    # in use, so recalc lists no gaps.
    as_is = tmp_path / "as_is.xlsx"
    shutil.copyfile(demo, as_is)
    expected = run_cli("recalc", str(as_is)).stdout.splitlines()[1:]
    assert result.stdout.splitlines()[1:] == expected
    assert "invoice documents" not in result.stdout
