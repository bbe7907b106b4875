"""Invoice documents as files (SPEC section 6): an invoice document (`core.invoice_document`)
written as CII XML (`cii`), checked against the official rules (`rules`) and laid out as a
PDF/A-3 carrying that XML (`pdf`, `invoice.typ`), in German or English (`wording`).

Nothing here reads a workbook: the service `msp_workbook.app.invoice_documents` does, and hands
over the documents.
"""
