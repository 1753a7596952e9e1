"""What every product stands on: keys and the registry of encrypted fields, scope
(``restrict(staff, action)``), named rule predicates, the permission map assembled from the apps,
the working-day calendar, error types, the audit hook and the page frame.

Imports only from ``gongxin.core`` and Django; products reach it, it never reaches them.
"""
