"""Where data lives: landed raw files (read-only), asset values (Parquet), drift reports."""
