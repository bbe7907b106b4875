"""Files for others from a closed month: the DATEV booking batch (and the SEPA direct debit)."""
