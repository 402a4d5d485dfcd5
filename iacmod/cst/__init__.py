"""LibCST's internals behind one door: read-only walks, the scope analysis, targeted positions,
lazy metadata and the import codemods, each checked against the LibCST versions it was verified
on (``version.VERIFIED``). ``README.md`` here lists every touchpoint on LibCST internals."""
