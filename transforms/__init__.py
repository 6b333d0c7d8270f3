"""The Python side of the data, outside dbt.

- `contract`: the landing data contract in code, shared by both subpackages below;
- `ingestion`: landing files into the warehouse's raw layer (parse, pseudonymise, load);
- `generator`: a synthetic municipality's landing exports (`python -m transforms.generator`);
- `publication`: how a finished warehouse is handed to the dashboard, and how the dashboard finds it.

Nothing here imports Dagster: the dashboard imports `publication`, and the pipeline imports it too.
"""
