"""The synthetic generator: a municipality's landing exports, written as its source systems would.

`synthetic` simulates the citizens' true history, `landing_render` turns it into each source's
export on an extract date (dialect, deltas, injected bad rows), and `generate` writes the files and
the record of what was generated. It knows the landing contract (transforms.contract) and nothing
of ingestion: what it writes is read back only through the same files a municipality delivers.

    python -m transforms.generator --help
"""
