"""model.conform: canonical columns and dtypes, without copying what is already right."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa

from incidents import model


def _two_columns(rows: int = 5) -> pd.DataFrame:
    return pd.DataFrame({
        "event_date": pd.to_datetime(["2024-01-01"] * rows),
        "event_type": pd.array(["Battles"] * rows, dtype="string"),
        "latitude": np.linspace(10, 14, rows),
        "source_col": ["x"] * rows,
    })


def test_every_canonical_column_in_its_dtype_and_extras_after_them() -> None:
    records = model.conform(_two_columns())
    assert list(records.columns) == [*model.CANONICAL_COLUMNS, "source_col"]
    assert records.dtypes.equals(model.empty_frame().dtypes.reindex(records.columns).fillna(
        records.dtypes["source_col"]))
    assert records["fatalities"].isna().all() and records["synthetic"].eq(False).all()
    assert records["longitude"].isna().all() and records["event_date_end"].isna().all()


def test_missing_text_columns_share_one_array_of_nulls() -> None:
    """A file with two columns must not carry 38 separate empty text columns (2M rows: 600 MB)."""
    records = model.conform(_two_columns())
    buffers = {
        buffer.address
        for column in ("notes", "actor1", "admin1", "source")
        for buffer in pa.array(records[column].array).buffers() if buffer is not None
    }
    assert len(buffers) <= 2  # the validity bitmap and the offsets, once for all


def test_a_column_already_in_its_dtype_is_not_copied() -> None:
    frame = _two_columns()
    records = model.conform(frame)
    assert np.shares_memory(records["latitude"].to_numpy(), frame["latitude"].to_numpy())


def test_writing_to_one_conformed_column_leaves_the_others_and_the_input_alone() -> None:
    frame = _two_columns()
    records = model.conform(frame)
    records.loc[0, "notes"] = "written"
    records.loc[1, "fatalities"] = 3
    records.loc[2, "latitude"] = 0.0
    assert records["actor1"].isna().all() and records["fatalities_low"].isna().all()
    assert records.loc[0, "notes"] == "written" and records.loc[1, "fatalities"] == 3
    assert frame.loc[2, "latitude"] == 12.0


def test_text_in_pandas_default_str_dtype_becomes_string_with_na() -> None:
    frame = pd.DataFrame({"event_date": ["2024-01-01"], "notes": pd.Series([None], dtype=str)})
    records = model.conform(frame)
    assert records["notes"].dtype == pd.StringDtype() and records["notes"].iloc[0] is pd.NA
