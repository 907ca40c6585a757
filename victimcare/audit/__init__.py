"""The confidentiality log: who saw or changed which record, when and why (DESIGN.md §7).

Append-only rows in a hash chain; the database refuses UPDATE and DELETE on them, and
``flask audit verify`` recomputes the chain. Events name field groups, never their values.
"""
