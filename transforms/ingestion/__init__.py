"""Ingestion: read a landing file against the contract (`parse`), replace CPR numbers by keyed
pseudonyms (`pseudonymise`) and load the rows into the raw layer with the ledger and quarantine
(`load`). The Dagster assets in orchestration/ call `load.Loader`; nothing here imports Dagster."""
