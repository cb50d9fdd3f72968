"""The bình ổn (market stabilisation) programme register and its commitment checks.

* :mod:`binhon.programme.service` — create, change and list programme years, participants, sale
  points, commitments, reserve reports and field visits (validated, audited);
* :mod:`binhon.programme.templates` — CSV/XLSX template imports (TEMPLATES.md);
* :mod:`binhon.programme.checks` — pure commitment checks returning alert candidates;
* :mod:`binhon.programme.alerts` — the checks against the database and the alert store;
* :mod:`binhon.programme.risk` — commitments at risk ahead of Tết.
"""
