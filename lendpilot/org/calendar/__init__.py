"""The bank's business calendar (FEATURES X4): the official holiday arrangement of each year, kept by
operations on pages and by CSV import. The table lives in core (the lowest floor reads it for every
due date and SLA); who may change it and how is decided here."""
