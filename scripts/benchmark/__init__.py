"""Benchmark `msp-workbook recalc` against its floor, openpyxl and LibreOffice.

    python scripts/bench.py --sizes S M L --repeat 3 --json bench-results/bench.json

Builds reproducible reseller workbooks (seeded; cached in the work folder, rebuilt when the
generator changes):

    S   200 customers,     about 6,000 usage rows
    M   2,000 customers,   about 150,000 usage rows
    L   10,000 customers,  about 1,000,000 usage rows

and measures, each the median of --repeat runs (peak RSS: the highest run; recalc and floor runs
alternate):

- recalc: `msp-workbook recalc FILE --month 2026-10 --out OUT` as a subprocess, on a fresh copy of
  the workbook each run: wall time and peak RSS (process start-up included; the RSS of the
  command and its child process together, sampled every 50 ms, when that is higher);
- floor: reading the Usage sheet alone with the fastest reader available (fastexcel, straight
  into Arrow arrays), plus writing the generated sheets alone (`writer.write_tables`, from rows
  computed beforehand); the two parts are timed separately and added (start-up and imports not
  included);
- openpyxl: `load_workbook` + `save` of the same workbook as a subprocess, start-up included (at
  L once by default: it takes minutes and gigabytes; `--openpyxl-timeout` caps every run and a
  run past it is reported as "n/a (> N s)", `--skip-openpyxl-at` skips sizes);
- libreoffice (S and M by default): LibreOffice headless opening an equivalent hand-built
  workbook whose Billing sheet computes every line with MAXIFS/SUMIFS over the Usage rows and
  whose Invoices sheet sums it with SUMIFS, recalculating everything (forced) and saving it. The
  same workbook without formulas is converted as well, to show what is load and save alone.
- closed months and years of data (L by default, `--closed-months-at`), each on a fresh copy each
  run, with the peak RSS of the command and its children:
  - recalc of the same workbook after the 11 months before the billing month were closed one by
    one with `msp-workbook close` (`--closed-months`), as a reseller's workbook is after a year:
    the Ledger then holds a year of lines and most of the comparison window comes from it
    (cached beside the workbook as `...-closed11.xlsx`);
  - alternating with it, recalc of the same workbook with an empty Ledger, recalculated once
    beforehand (cached as `...-recalculated.xlsx`) so that its generated sheets are full as the
    closed workbook's are (recalc reads and rewrites them): the ratio closed/empty, goal 1.3x, and
    the closed recalc's peak RSS, goal 700 MB;
  - alternating with both, `msp-workbook close` of the billing month on the closed workbook:
    the ratio close/closed recalc, goal 1.3x;
  - `msp-workbook archive --before 2025-12` with Settings' Correction months set to 0 (at the
    default 12 the correction window of the first open month, 2026-11, covers every month of
    usage: nothing could move; the setting's row is replaced by `writer.remove_rows` and
    `writer.append_rows`, without loading the sheets) on a workbook whose every month of usage
    is closed, 2025-09 .. 2026-10 (the archive refuses to move usage of a month that is not
    closed: the workbook after the close above with `--closed-months 13`, else the size's
    workbook closed month by month, cached as `...-closed14-to-2026-10.xlsx`): wall time, peak
    RSS, what it moved (its line of output; checked: exit 0, something moved, the
    `NAME.archive-2025.xlsx` file beside the workbook); then recalc of the first open month
    2026-11 on the archived workbook against the same before the archive, alternately (goal: no
    slower; within 5 % counts as noise), and whether Billing, Invoices and Comparison of the two
    outputs are equal (Checks is shown too: its messages name Usage rows, which move up).
- invoice documents (`--documents-at S M L`; not by default): `msp-workbook invoices` of the
  billing month once it is closed with `msp-workbook close` (the closed workbook is cached beside
  the workbook), into a fresh --out folder each run: wall time, peak RSS of the process and its
  worker processes together (and their summed PSS: forked workers share pages), invoices per
  second, and that every invoice got its XML and a PDF/A-3b carrying factur-x.xml. Alternating
  with it, the peer: WeasyPrint (pip-installed into this Python when missing, unless
  `--no-install-peer`) rendering the month's first `--documents-peer-sample` invoices (300) in
  one process as an equivalent HTML/CSS invoice to PDF/A-3b from `documents.pdf.layout_data`,
  each invoice timed (weasyprint_peer.py). Before each run the benchmark waits up to
  `--quiet-wait` seconds for other work on the machine to settle, measures a run again (twice at
  most) when other work kept a quarter of a core busy during it, and reports the cores other work
  kept busy during each run. One run of the smallest size is also made under a
  pseudo-terminal to see its progress line.
- DATEV and SEPA exports (`--exports-at S M L`; not by default): on a fresh copy of the closed
  workbook each run, `msp-workbook export-datev` then `msp-workbook export-sepa` of the billing
  month (a fixed --collection-date), each first on the copy (the file written, debitor numbers
  and collections appended to the workbook) and then once more on the same copy (unchanged: the
  same file, nothing written): wall time and peak RSS of each, the bookings, debits and file
  sizes. Every run is checked: a booking for each of the month's invoices whose Gross is not 0
  (the batch has two lines more), the SEPA file valid against the pain.008.001.02 XSD with a
  transaction for each direct-debit customer's invoice with a positive Gross, the second run's
  file the same and the workbook's bytes unchanged.

Every run has a timeout (`--timeout`) and is killed with its children past it; a measurement whose
first run takes longer than `--once-above` seconds is not repeated (the output says so).
`--profile` also writes a cProfile of one recalc per size; `--from-json` reprints the tables.

Correctness: the generated tables of the recalc output (Billing, Invoices, Comparison, Checks)
equal the rows of the plain path, computed in-process: Usage read row by row into one record
per reading (`read_workbook(..., bulk=False)`) and aggregated reading by reading
(`UsageIndex.from_readings`), then `app.compute.compute` + `app.generated.generated_tables`; at
S the generated sheets also equal those of a plain in-process `app.recalc.recalculate`.
LibreOffice's quantities and net amounts are compared with recalc's lines that come from readings
(usage and minimum lines).

Prints a table with the ratios recalc/floor, openpyxl/recalc and LibreOffice/recalc, the time per
usage row and the growth exponent between sizes (1.0 = linear), and writes every figure to the
JSON file. Exit code 1 when a correctness check fails.

The package (run by scripts/bench.py, which puts scripts/ on sys.path; the package is not named
`bench` so that it does not clash with that script): `cli` (options and the run of everything
asked for), `sizes`, `data` and `parties` (the seeded workbooks' rows), `workbooks` (the cached
workbooks on disk), `measure`, `sampler` and `quiet` (running and measuring a command),
`children` (what runs in a child process: `bench.py --child NAME ...`), one module per measured
scenario (`recalc`, `years`, `usage_import`, `reconcile`, `documents`, `exports`), the peers
(`libreoffice`, `weasyprint_peer`; openpyxl and the floor in `children`), `correctness`, and the
printed tables (`report`, `tables`; each scenario module prints its own).
"""
